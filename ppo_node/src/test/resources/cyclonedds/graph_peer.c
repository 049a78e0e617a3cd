/*
 * What a ROS 2 graph tool sees of the node, from an independent DDS (CycloneDDS, C): the
 * equivalent of `ros2 node list`, `ros2 topic info -v` (endpoints with their QoS), participant
 * liveliness, and `ros2 topic echo /diagnostics`. Optionally latches an e-stop before the node starts.
 *
 * Lines (flushed as they happen; t = wall-clock ms since the epoch, GUIDs as 32 hex digits):
 *   PUP <participant> <t>                                 a participant appeared
 *   PGONE <participant> <t>                               a participant was lost (lease expired) or left
 *   NODE <participant> <namespace> <name> <#readers> <#writers>      from ros_discovery_info
 *   NODE_R <participant> <reader gid> / NODE_W <participant> <writer gid>
 *   EP <R|W> <guid> <participant> <topic> <type> <reliable|best_effort> <volatile|transient_local>
 *     (history depth is not part of DDS discovery data: `ros2 topic info -v` shows it as UNKNOWN too)
 *   DIAG <t> <level> <name>|<hardware_id>|<message>|<key>=<value>;...
 *
 *   OVERSIZE <topic> <bytes>                              sent one PointStamped with a frame_id of that size
 *
 *   REFUSED <what>                                        created a peer the node's QoS refuses (below)
 *
 * usage: graph_peer <domain> <seconds> [<e-stop topic to latch true> [<target topic for one 512 KiB message, once a reader matched>]]
 * environment, for peers the node must report as refused by QoS:
 *   BEST_EFFORT_TARGET=<topic>    a best-effort PointStamped publisher there, one target every 100 ms
 *   RELIABLE_COMMANDS=<topic>     a reliable Float64MultiArray subscriber there (as a ros2_control controller)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include "dds/dds.h"
#include "ros2_types.h"

static long long now_ms(void)
{
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (long long) tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void hex(const unsigned char *b, size_t n, char *out)
{
  for (size_t i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", b[i]);
  out[2 * n] = '\0';
}

#define MAXS 64

static void endpoints(dds_entity_t rd, char kind, const dds_guid_t *self)
{
  void *samples[MAXS] = { NULL };
  dds_sample_info_t infos[MAXS];
  int n = dds_take(rd, samples, infos, MAXS, MAXS);
  for (int i = 0; i < n; i++) {
    dds_builtintopic_endpoint_t *e = samples[i];
    if (!infos[i].valid_data || memcmp(e->participant_key.v, self->v, 12) == 0) continue;
    dds_reliability_kind_t rel = DDS_RELIABILITY_BEST_EFFORT;
    dds_durability_kind_t dur = DDS_DURABILITY_VOLATILE;
    dds_duration_t blocking;
    dds_qget_reliability(e->qos, &rel, &blocking);
    dds_qget_durability(e->qos, &dur);
    char g[33], p[33];
    hex(e->key.v, 16, g);
    hex(e->participant_key.v, 16, p);
    printf("EP %c %s %s %s %s %s %s\n", kind, g, p, e->topic_name, e->type_name, rel == DDS_RELIABILITY_RELIABLE ? "reliable" : "best_effort",
           dur == DDS_DURABILITY_TRANSIENT_LOCAL ? "transient_local" : dur == DDS_DURABILITY_VOLATILE ? "volatile" : "other");
  }
  if (n > 0) dds_return_loan(rd, samples, n);
}

int main(int argc, char **argv)
{
  if (argc < 3) { fprintf(stderr, "usage: graph_peer domain seconds [estop_topic]\n"); return 64; }
  int domain = atoi(argv[1]);
  long long end = now_ms() + 1000LL * atoi(argv[2]);
  dds_entity_t pp = dds_create_participant((dds_domainid_t) domain, NULL, NULL);
  if (pp < 0) { fprintf(stderr, "participant: %s\n", dds_strretcode(-pp)); return 1; }
  dds_guid_t self;
  dds_get_guid(pp, &self);

  dds_entity_t participants = dds_create_reader(pp, DDS_BUILTIN_TOPIC_DCPSPARTICIPANT, NULL, NULL);
  dds_entity_t publications = dds_create_reader(pp, DDS_BUILTIN_TOPIC_DCPSPUBLICATION, NULL, NULL);
  dds_entity_t subscriptions = dds_create_reader(pp, DDS_BUILTIN_TOPIC_DCPSSUBSCRIPTION, NULL, NULL);

  // ros_discovery_info as rmw_dds_common reads it: reliable, transient local, keep last 1 per writer
  dds_qos_t *graph_qos = dds_create_qos();
  dds_qset_reliability(graph_qos, DDS_RELIABILITY_RELIABLE, DDS_SECS(1));
  dds_qset_durability(graph_qos, DDS_DURABILITY_TRANSIENT_LOCAL);
  dds_qset_history(graph_qos, DDS_HISTORY_KEEP_LAST, 1);
  dds_entity_t graph_topic = dds_create_topic(pp, &rmw_dds_common_msg_dds__ParticipantEntitiesInfo__desc, "ros_discovery_info", NULL, NULL);
  dds_entity_t graph = dds_create_reader(pp, graph_topic, graph_qos, NULL);

  dds_qos_t *reliable = dds_create_qos();
  dds_qset_reliability(reliable, DDS_RELIABILITY_RELIABLE, DDS_SECS(1));
  dds_entity_t diag_topic = dds_create_topic(pp, &diagnostic_msgs_msg_dds__DiagnosticArray__desc, "rt/diagnostics", NULL, NULL);
  dds_entity_t diag = dds_create_reader(pp, diag_topic, reliable, NULL);

  if (argc > 3) { // a latched e-stop, engaged before the node starts
    char rt[256];
    snprintf(rt, sizeof rt, "rt%s", argv[3]);
    dds_entity_t t = dds_create_topic(pp, &std_msgs_msg_dds__Bool__desc, rt, NULL, NULL);
    dds_entity_t w = dds_create_writer(pp, t, graph_qos, NULL);
    std_msgs_msg_dds__Bool_ on = { .data = true };
    dds_write(w, &on);
    printf("ESTOP %s latched\n", argv[3]);
  }
  fflush(stdout);

  dds_entity_t oversize = 0;
  long long oversize_at = 0; // half a second after the node's reader has matched

  if (argc > 4) {
    char rt[256];
    snprintf(rt, sizeof rt, "rt%s", argv[4]);
    dds_entity_t t = dds_create_topic(pp, &geometry_msgs_msg_dds__PointStamped__desc, rt, NULL, NULL);
    oversize = dds_create_writer(pp, t, reliable, NULL);
  }

  dds_entity_t refused_target = 0;
  if (getenv("BEST_EFFORT_TARGET")) { // what `ros2 topic pub --qos-reliability best_effort` makes
    char rt[256];
    snprintf(rt, sizeof rt, "rt%s", getenv("BEST_EFFORT_TARGET"));
    dds_qos_t *be = dds_create_qos();
    dds_qset_reliability(be, DDS_RELIABILITY_BEST_EFFORT, 0);
    dds_entity_t t = dds_create_topic(pp, &geometry_msgs_msg_dds__PointStamped__desc, rt, NULL, NULL);
    refused_target = dds_create_writer(pp, t, be, NULL);
    printf("REFUSED best-effort publisher on %s\n", getenv("BEST_EFFORT_TARGET"));
  }
  if (getenv("RELIABLE_COMMANDS")) {
    char rt[256];
    snprintf(rt, sizeof rt, "rt%s", getenv("RELIABLE_COMMANDS"));
    dds_entity_t t = dds_create_topic(pp, &std_msgs_msg_dds__Float64MultiArray__desc, rt, NULL, NULL);
    dds_create_reader(pp, t, reliable, NULL);
    printf("REFUSED reliable subscriber on %s\n", getenv("RELIABLE_COMMANDS"));
  }
  fflush(stdout);
  long long next_target = 0;

  while (now_ms() < end) {
    if (refused_target && now_ms() >= next_target) {
      geometry_msgs_msg_dds__PointStamped_ m;
      memset(&m, 0, sizeof m);
      m.header.frame_id = "base_link";
      m.point.x = 0.1;
      dds_write(refused_target, &m);
      next_target = now_ms() + 100;
    }
    if (oversize && oversize_at == 0) {
      dds_publication_matched_status_t st;
      if (dds_get_publication_matched_status(oversize, &st) == DDS_RETCODE_OK && st.current_count > 0) oversize_at = now_ms() + 500;
    }
    if (oversize && oversize_at > 0 && now_ms() >= oversize_at) { // larger than the node's receive slots: refused inside Fast DDS
      size_t n = 512 * 1024;
      char *frame = malloc(n + 1);
      memset(frame, 'x', n);
      frame[n] = '\0';
      geometry_msgs_msg_dds__PointStamped_ m;
      memset(&m, 0, sizeof m);
      m.header.frame_id = frame;
      dds_write(oversize, &m);
      free(frame);
      printf("OVERSIZE %s %zu\n", argv[4], n);
      oversize = 0;
    }
    void *samples[MAXS] = { NULL };
    dds_sample_info_t infos[MAXS];
    int n = dds_take(participants, samples, infos, MAXS, MAXS);
    for (int i = 0; i < n; i++) {
      dds_builtintopic_participant_t *p = samples[i];
      if (memcmp(p->key.v, self.v, 12) == 0) continue;
      char g[33];
      hex(p->key.v, 16, g);
      if (infos[i].valid_data && infos[i].instance_state == DDS_IST_ALIVE) printf("PUP %s %lld\n", g, now_ms());
      else if (infos[i].instance_state != DDS_IST_ALIVE) printf("PGONE %s %lld\n", g, now_ms());
    }
    if (n > 0) dds_return_loan(participants, samples, n);

    endpoints(publications, 'W', &self);
    endpoints(subscriptions, 'R', &self);

    void *gs[MAXS] = { NULL };
    n = dds_take(graph, gs, infos, MAXS, MAXS);
    for (int i = 0; i < n; i++) {
      if (!infos[i].valid_data) continue;
      rmw_dds_common_msg_dds__ParticipantEntitiesInfo_ *m = gs[i];
      char pg[33], eg[33];
      hex(m->gid.data, 16, pg);
      for (uint32_t k = 0; k < m->node_entities_info_seq._length; k++) {
        rmw_dds_common_msg_dds__NodeEntitiesInfo_ *node = &m->node_entities_info_seq._buffer[k];
        printf("NODE %s %s %s %u %u\n", pg, node->node_namespace, node->node_name, node->reader_gid_seq._length, node->writer_gid_seq._length);
        for (uint32_t r = 0; r < node->reader_gid_seq._length; r++) {
          hex(node->reader_gid_seq._buffer[r].data, 16, eg);
          printf("NODE_R %s %s\n", pg, eg);
        }
        for (uint32_t w = 0; w < node->writer_gid_seq._length; w++) {
          hex(node->writer_gid_seq._buffer[w].data, 16, eg);
          printf("NODE_W %s %s\n", pg, eg);
        }
      }
      if (m->node_entities_info_seq._length == 0) printf("NODE %s - - 0 0\n", pg);
    }
    if (n > 0) dds_return_loan(graph, gs, n);

    void *ds[MAXS] = { NULL };
    n = dds_take(diag, ds, infos, MAXS, MAXS);
    for (int i = 0; i < n; i++) {
      if (!infos[i].valid_data) continue;
      diagnostic_msgs_msg_dds__DiagnosticArray_ *a = ds[i];
      for (uint32_t k = 0; k < a->status._length; k++) {
        diagnostic_msgs_msg_dds__DiagnosticStatus_ *s = &a->status._buffer[k];
        printf("DIAG %lld %d %s|%s|%s|", now_ms(), s->level, s->name, s->hardware_id, s->message);
        for (uint32_t v = 0; v < s->values._length; v++) printf("%s=%s;", s->values._buffer[v].key, s->values._buffer[v].value);
        printf("\n");
      }
    }
    if (n > 0) dds_return_loan(diag, ds, n);
    fflush(stdout);
    dds_sleepfor(DDS_MSECS(20));
  }
  dds_delete(pp);
  return 0;
}
