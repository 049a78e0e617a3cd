/*
 * A hostile but standards-conforming ROS 2 participant on CycloneDDS (C): sends every topic the
 * node reads (joint states, target, teleop commands) the messages ROS 2 allows but a node may not
 * expect, then ordinary traffic, and reports how many commands the node still sends.
 *
 * Phases (each line "SENT <phase> <count>"):
 *   long_frame_id    PointStamped (0.05, 0.15, 0) with a 300-character header.frame_id (valid: must be accepted)
 *   huge_frame_id    PointStamped with a 100 KiB frame_id (beyond the node's size limit: dropped)
 *   long_names       JointState whose names have 300 characters
 *   mismatched       JointState with 3 names and 1 position, or 2 velocities
 *   empty            JointState with no names and no positions
 *   non_finite       JointState with NaN and Inf positions and velocities
 *   many_joints      JointState with 5000 joints (beyond the size limit: dropped)
 *   teleop_long      std_msgs/String of 300 and 100 KiB characters on the teleop topic
 *   burst            valid JointState at 10 kHz for 1 s
 *   normal           valid JointState and target every 10 ms for 3 s, counting commands ("CMDS n")
 *
 * usage: fuzz_peer <domain> <command topic> <teleop topic>
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dds/dds.h"
#include "ros2_types.h"

static char *repeat(char c, size_t n)
{
  char *s = malloc(n + 1);
  memset(s, c, n);
  s[n] = '\0';
  return s;
}

static void joint_state(sensor_msgs_msg_dds__JointState_ *js, char **names, uint32_t nn, double *pos, uint32_t np, double *vel, uint32_t nv)
{
  memset(js, 0, sizeof *js);
  js->header.frame_id = "";
  js->name._length = js->name._maximum = nn;
  js->name._buffer = names;
  js->position._length = js->position._maximum = np;
  js->position._buffer = pos;
  js->velocity._length = js->velocity._maximum = nv;
  js->velocity._buffer = vel;
}

int main(int argc, char **argv)
{
  if (argc < 4) { fprintf(stderr, "usage: fuzz_peer domain command_topic teleop_topic\n"); return 64; }
  int domain = atoi(argv[1]);
  char rt_cmd[256], rt_teleop[256];
  snprintf(rt_cmd, sizeof rt_cmd, "rt%s", argv[2]);
  snprintf(rt_teleop, sizeof rt_teleop, "rt%s", argv[3]);
  dds_entity_t pp = dds_create_participant((dds_domainid_t) domain, NULL, NULL);
  if (pp < 0) { fprintf(stderr, "participant: %s\n", dds_strretcode(-pp)); return 1; }
  dds_qos_t *reliable = dds_create_qos();
  dds_qset_reliability(reliable, DDS_RELIABILITY_RELIABLE, DDS_SECS(1));
  dds_qset_history(reliable, DDS_HISTORY_KEEP_ALL, 0);
  dds_qos_t *best_effort = dds_create_qos();
  dds_qset_reliability(best_effort, DDS_RELIABILITY_BEST_EFFORT, 0);
  dds_entity_t t_js = dds_create_topic(pp, &sensor_msgs_msg_dds__JointState__desc, "rt/joint_states", NULL, NULL);
  dds_entity_t t_tg = dds_create_topic(pp, &geometry_msgs_msg_dds__PointStamped__desc, "rt/ppo_node/target", NULL, NULL);
  dds_entity_t t_tl = dds_create_topic(pp, &std_msgs_msg_dds__String__desc, rt_teleop, NULL, NULL);
  dds_entity_t t_cmd = dds_create_topic(pp, &std_msgs_msg_dds__Float64MultiArray__desc, rt_cmd, NULL, NULL);
  dds_entity_t w_js = dds_create_writer(pp, t_js, best_effort, NULL);
  dds_entity_t w_tg = dds_create_writer(pp, t_tg, reliable, NULL);
  dds_entity_t w_tl = dds_create_writer(pp, t_tl, reliable, NULL);
  dds_entity_t r_cmd = dds_create_reader(pp, t_cmd, reliable, NULL);
  if (w_js < 0 || w_tg < 0 || w_tl < 0 || r_cmd < 0) { fprintf(stderr, "entities failed\n"); return 1; }
  dds_sleepfor(DDS_SECS(2)); /* discovery */

  geometry_msgs_msg_dds__PointStamped_ tg;
  memset(&tg, 0, sizeof tg);
  tg.point.x = 0.05; tg.point.y = 0.15; /* a point only this phase sends */
  tg.header.frame_id = repeat('f', 300);
  for (int i = 0; i < 20; i++) { dds_write(w_tg, &tg); dds_sleepfor(DDS_MSECS(5)); }
  printf("SENT long_frame_id 20\n");
  tg.header.frame_id = repeat('h', 100 * 1024);
  for (int i = 0; i < 5; i++) { dds_write(w_tg, &tg); dds_sleepfor(DDS_MSECS(20)); }
  printf("SENT huge_frame_id 5\n");

  sensor_msgs_msg_dds__JointState_ js;
  char *longn[2] = {repeat('a', 300), repeat('b', 300)};
  double two[2] = {0.1, 0.2}, one[1] = {0.3};
  joint_state(&js, longn, 2, two, 2, two, 2);
  for (int i = 0; i < 50; i++) { dds_write(w_js, &js); dds_sleepfor(DDS_MSECS(2)); }
  printf("SENT long_names 50\n");
  char *three[3] = {"joint1", "joint2", "gripper_joint"};
  for (int i = 0; i < 50; i++) {
    joint_state(&js, three, 3, one, 1, two, i % 2 ? 2 : 0);
    dds_write(w_js, &js);
    dds_sleepfor(DDS_MSECS(2));
  }
  printf("SENT mismatched 50\n");
  joint_state(&js, NULL, 0, NULL, 0, NULL, 0);
  for (int i = 0; i < 50; i++) { dds_write(w_js, &js); dds_sleepfor(DDS_MSECS(2)); }
  printf("SENT empty 50\n");
  char *names[2] = {"joint1", "joint2"};
  double bad[2] = {NAN, INFINITY}, badv[2] = {-INFINITY, NAN};
  joint_state(&js, names, 2, bad, 2, badv, 2);
  for (int i = 0; i < 50; i++) { dds_write(w_js, &js); dds_sleepfor(DDS_MSECS(2)); }
  printf("SENT non_finite 50\n");
  uint32_t many = 5000;
  char **mn = malloc(many * sizeof(char *));
  double *mp = calloc(many, sizeof(double));
  for (uint32_t i = 0; i < many; i++) { mn[i] = malloc(24); snprintf(mn[i], 24, "extra_joint_%u", i); }
  joint_state(&js, mn, many, mp, many, mp, many);
  for (int i = 0; i < 5; i++) { dds_write(w_js, &js); dds_sleepfor(DDS_MSECS(20)); }
  printf("SENT many_joints 5\n");

  std_msgs_msg_dds__String_ s;
  s.data = repeat('{', 300);
  for (int i = 0; i < 20; i++) { dds_write(w_tl, &s); dds_sleepfor(DDS_MSECS(5)); }
  s.data = repeat('x', 100 * 1024);
  for (int i = 0; i < 5; i++) { dds_write(w_tl, &s); dds_sleepfor(DDS_MSECS(20)); }
  printf("SENT teleop_long 25\n");

  double pos[2] = {-0.7, 0.4}, zero[2] = {0, 0};
  joint_state(&js, names, 2, pos, 2, zero, 2);
  dds_time_t end = dds_time() + DDS_SECS(1);
  int burst = 0;
  while (dds_time() < end) { dds_write(w_js, &js); burst++; dds_sleepfor(DDS_USECS(100)); }
  printf("SENT burst %d\n", burst);

  tg.header.frame_id = "";
  tg.point.x = 0.12; tg.point.y = -0.08;
  void *samples[1] = {NULL};
  dds_sample_info_t infos[1];
  int cmds = 0, rc;
  while ((rc = dds_take(r_cmd, samples, infos, 1, 1)) > 0) { dds_return_loan(r_cmd, samples, rc); samples[0] = NULL; } /* before: not counted */
  for (int tick = 0; tick < 300; tick++) {
    dds_write(w_js, &js);
    dds_write(w_tg, &tg);
    dds_sleepfor(DDS_MSECS(10));
    while ((rc = dds_take(r_cmd, samples, infos, 1, 1)) > 0) {
      if (infos[0].valid_data) cmds++;
      dds_return_loan(r_cmd, samples, rc);
      samples[0] = NULL;
    }
  }
  printf("SENT normal 300\nCMDS %d\n", cmds);
  fflush(stdout);
  dds_delete(pp);
  return 0;
}
