/*
 * An independent ROS 2 wire peer built on CycloneDDS (C): plays a robot for ppo_node's deploy
 * node. Publishes sensor_msgs/JointState on rt/joint_states (joints in a shuffled order, plus a
 * joint the policy does not use) and geometry_msgs/PointStamped on rt/ppo_node/target every 10 ms,
 * and prints every std_msgs/Float64MultiArray received on rt/<command topic> as "CMD v0 v1 ...".
 *
 * usage: robot_peer <domain> <commands wanted> <command topic> <name=position>...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dds/dds.h"
#include "ros2_types.h"

int main(int argc, char **argv)
{
  if (argc < 5) { fprintf(stderr, "usage: robot_peer domain wanted topic name=pos...\n"); return 64; }
  int domain = atoi(argv[1]), wanted = atoi(argv[2]);
  const char *cmd_topic = argv[3];
  int n = argc - 4;
  char **names = calloc(n, sizeof(char *));
  double *pos = calloc(n, sizeof(double)), *zeros = calloc(n, sizeof(double));
  for (int i = 0; i < n; i++) {
    char *eq = strchr(argv[4 + i], '=');
    *eq = '\0';
    names[i] = argv[4 + i];
    pos[i] = atof(eq + 1);
  }
  dds_entity_t pp = dds_create_participant((dds_domainid_t) domain, NULL, NULL);
  if (pp < 0) { fprintf(stderr, "participant: %s\n", dds_strretcode(-pp)); return 1; }
  dds_qos_t *reliable = dds_create_qos();
  dds_qset_reliability(reliable, DDS_RELIABILITY_RELIABLE, DDS_MSECS(100));
  dds_qos_t *best_effort = dds_create_qos();
  dds_qset_reliability(best_effort, DDS_RELIABILITY_BEST_EFFORT, 0);
  char rt_cmd[256];
  snprintf(rt_cmd, sizeof rt_cmd, "rt%s", cmd_topic);
  dds_entity_t t_js = dds_create_topic(pp, &sensor_msgs_msg_dds__JointState__desc, "rt/joint_states", NULL, NULL);
  dds_entity_t t_tg = dds_create_topic(pp, &geometry_msgs_msg_dds__PointStamped__desc, "rt/ppo_node/target", NULL, NULL);
  dds_entity_t t_cmd = dds_create_topic(pp, &std_msgs_msg_dds__Float64MultiArray__desc, rt_cmd, NULL, NULL);
  dds_entity_t w_js = dds_create_writer(pp, t_js, best_effort, NULL);
  dds_entity_t w_tg = dds_create_writer(pp, t_tg, reliable, NULL);
  dds_entity_t r_cmd = dds_create_reader(pp, t_cmd, reliable, NULL);
  if (w_js < 0 || w_tg < 0 || r_cmd < 0) { fprintf(stderr, "entities failed\n"); return 1; }

  sensor_msgs_msg_dds__JointState_ js;
  memset(&js, 0, sizeof js);
  js.header.frame_id = "";
  js.name._length = js.name._maximum = (uint32_t) n;
  js.name._buffer = names;
  js.position._length = js.position._maximum = (uint32_t) n;
  js.position._buffer = pos;
  js.velocity._length = js.velocity._maximum = (uint32_t) n;
  js.velocity._buffer = zeros;
  geometry_msgs_msg_dds__PointStamped_ tg;
  memset(&tg, 0, sizeof tg);
  tg.header.frame_id = "";
  tg.point.x = 0.12; tg.point.y = -0.08; tg.point.z = 0.0;

  void *samples[1] = {NULL};
  dds_sample_info_t infos[1];
  int got = 0;
  for (int tick = 0; tick < 2000 && got < wanted; tick++) { /* at most 20 s */
    dds_write(w_js, &js);
    dds_write(w_tg, &tg);
    dds_sleepfor(DDS_MSECS(10));
    int rc;
    while ((rc = dds_take(r_cmd, samples, infos, 1, 1)) > 0) {
      if (!infos[0].valid_data) continue;
      std_msgs_msg_dds__Float64MultiArray_ *m = samples[0];
      printf("CMD");
      for (uint32_t i = 0; i < m->data._length; i++) printf(" %.17g", m->data._buffer[i]);
      printf("\n");
      fflush(stdout);
      got++;
      dds_return_loan(r_cmd, samples, rc);
      samples[0] = NULL;
    }
  }
  dds_delete(pp);
  return got >= wanted ? 0 : 2;
}
