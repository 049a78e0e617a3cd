// A robot simulated by MuJoCo, served over ROS 2 (CycloneDDS) as a real one is: it publishes
// sensor_msgs/JointState, and for a floating base sensor_msgs/Imu and nav_msgs/Odometry, and takes
// std_msgs/Float64MultiArray position commands (the ros2_control forward command controller's
// convention, actuated-joint order), in real time. It also plays the operator: geometry_msgs/Twist
// on cmd_vel at 10 Hz. A node that drives it cannot tell it from a robot; nothing of ppo_node's
// simulator or training code is in it.
//
// Its actuators are not the model's: a command reaches the motors delay_ms after it arrives; the
// PD target can follow the command through a first-order lag (lag_ms); `motor dc` limits the
// torque in the direction of motion linearly from the effort limit at rest to zero at the joint's
// velocity limit (a DC motor's torque-speed line). The ground's friction coefficient is `friction`.
//
// Setup from stdin, one item per line, ended by "start":
//   urdf <path>   root <link>   dt <s>   floating 0|1   ground 0|1   base <x> <y> <z>
//   joint <name> <default> <kp> <kd> <effort limit> <velocity limit>   (one per actuated joint)
//   domain <id>   topic joint_states|imu|odom|cmd_vel|commands <DDS topic name, e.g. rt/imu>
//   friction <mu>   delay_ms <ms>   lag_ms <ms>   motor pd|dc   state_hz <hz>
//   command <vx> <vy> <yaw rate>   episode_s <s>   settle_s <s>   fall_height <m>   fall_tilt <rad>
// then prints "ready". Each line "episode <k>" then runs an episode: the robot starts at its
// default pose and holds it for settle_s (commands are dropped), then takes commands; the
// episode's clock starts at the line "policy" (the judge's word that the controller engaged its
// policy), and the episode ends after episode_s, or when the robot falls (root below fall_height,
// roll or pitch beyond fall_tilt, or the root link touching the ground). It prints
//   episode <k> mean_vx <m/s> mean_yaw_rate_error <rad/s> fell <0|1> why <word> seconds <s> commands <n> overruns <n>
//           min_height <m> max_tilt <rad>
// (overruns: physics steps that started late, behind real time; min_height and max_tilt: the root's
// lowest height and its largest roll or pitch)
// ("why": time, height, tilt, contact; no_commands or no_policy when no command or no "policy" came
// within 30 s of the settling), then stops
// stepping and publishing until the next line. "quit" ends it.
#define _GNU_SOURCE
#include <math.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include "dds/dds.h"
#include "ros2_robot.h"
#include "mujoco_model.h"

#define MAXJ 64
#define QUEUE 512

static char urdf[4096], root[256], motor[8] = "pd";
static char topic_js[256] = "rt/joint_states", topic_imu[256] = "rt/imu", topic_odom[256] = "rt/odom", topic_cmd_vel[256] = "rt/cmd_vel",
            topic_commands[256] = "rt/forward_position_controller/commands";
static double dt = 0.002, base[3], friction = 1, delay_ms = 0, lag_ms = 0, state_hz = 250, command[3], episode_s = 10, settle_s = 1,
              fall_height = 0.15, fall_tilt = 1;
static int floating = 1, ground = 1, domain = 0, nj;
static char jname[MAXJ][256];
static char* jnames[MAXJ];
static double jdef[MAXJ], kp[MAXJ], kd[MAXJ], effort[MAXJ], vlimit[MAXJ];
static int qadr[MAXJ], vadr[MAXJ];

// commands in flight: each applies at its step
static double queued[QUEUE][MAXJ];
static long queued_at[QUEUE];
static int q_head, q_len;

static void sleep_until(const struct timespec* t) {
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, t, NULL) != 0) {}
}

static void add_ns(struct timespec* t, long ns) {
  t->tv_nsec += ns;
  while (t->tv_nsec >= 1000000000L) { t->tv_nsec -= 1000000000L; t->tv_sec++; }
}

static int later_than(const struct timespec* a, const struct timespec* b) {
  return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

static void stamp(builtin_interfaces_msg_dds__Time_* s) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  s->sec = (int32_t)t.tv_sec;
  s->nanosec = (uint32_t)t.tv_nsec;
}

// Lines from stdin, read unbuffered: a line can be waited for, or looked for without waiting
// (during an episode). 0: no whole line yet (without waiting), -1: end of input.
static char in_buf[8192];
static size_t in_len;

static int next_line(char* out, size_t size, int wait) {
  for (;;) {
    char* nl = memchr(in_buf, '\n', in_len);
    if (nl) {
      size_t n = nl - in_buf + 1, keep = n < size ? n : size - 1;
      memcpy(out, in_buf, keep);
      out[keep] = 0;
      memmove(in_buf, in_buf + n, in_len - n);
      in_len -= n;
      return 1;
    }
    if (in_len == sizeof in_buf) in_len = 0;  // a line longer than the buffer: dropped
    struct pollfd p = {0, POLLIN, 0};
    if (!wait && poll(&p, 1, 0) <= 0) return 0;
    ssize_t got = read(0, in_buf + in_len, sizeof in_buf - in_len);
    if (got <= 0) return -1;
    in_len += got;
  }
}

static void read_setup(void) {
  char line[4096];
  while (next_line(line, sizeof line, 1) > 0) {
    char key[64], which[64];
    if (sscanf(line, "%63s", key) != 1) continue;
    if (!strcmp(key, "start")) return;
    if (!strcmp(key, "urdf")) sscanf(line, "%*s %4095s", urdf);
    else if (!strcmp(key, "root")) sscanf(line, "%*s %255s", root);
    else if (!strcmp(key, "dt")) sscanf(line, "%*s %lf", &dt);
    else if (!strcmp(key, "floating")) sscanf(line, "%*s %d", &floating);
    else if (!strcmp(key, "ground")) sscanf(line, "%*s %d", &ground);
    else if (!strcmp(key, "base")) sscanf(line, "%*s %lf %lf %lf", &base[0], &base[1], &base[2]);
    else if (!strcmp(key, "domain")) sscanf(line, "%*s %d", &domain);
    else if (!strcmp(key, "friction")) sscanf(line, "%*s %lf", &friction);
    else if (!strcmp(key, "delay_ms")) sscanf(line, "%*s %lf", &delay_ms);
    else if (!strcmp(key, "lag_ms")) sscanf(line, "%*s %lf", &lag_ms);
    else if (!strcmp(key, "motor")) sscanf(line, "%*s %7s", motor);
    else if (!strcmp(key, "state_hz")) sscanf(line, "%*s %lf", &state_hz);
    else if (!strcmp(key, "command")) sscanf(line, "%*s %lf %lf %lf", &command[0], &command[1], &command[2]);
    else if (!strcmp(key, "episode_s")) sscanf(line, "%*s %lf", &episode_s);
    else if (!strcmp(key, "settle_s")) sscanf(line, "%*s %lf", &settle_s);
    else if (!strcmp(key, "fall_height")) sscanf(line, "%*s %lf", &fall_height);
    else if (!strcmp(key, "fall_tilt")) sscanf(line, "%*s %lf", &fall_tilt);
    else if (!strcmp(key, "topic")) {
      char name[256];
      if (sscanf(line, "%*s %63s %255s", which, name) != 2) die("topic needs a role and a name", line);
      char* into = !strcmp(which, "joint_states") ? topic_js : !strcmp(which, "imu") ? topic_imu : !strcmp(which, "odom") ? topic_odom
                 : !strcmp(which, "cmd_vel") ? topic_cmd_vel : !strcmp(which, "commands") ? topic_commands : NULL;
      if (!into) die("unknown topic role", which);
      strcpy(into, name);
    } else if (!strcmp(key, "joint")) {
      if (nj == MAXJ) die("too many joints", NULL);
      if (sscanf(line, "%*s %255s %lf %lf %lf %lf %lf", jname[nj], &jdef[nj], &kp[nj], &kd[nj], &effort[nj], &vlimit[nj]) != 6) die("bad joint line", line);
      jnames[nj] = jname[nj];
      nj++;
    } else die("unknown setup key", key);
  }
  die("the setup ended before \"start\"", NULL);
}

// The torque the motor gives for the PD's wish: the effort limit, and for `motor dc` the torque-speed line.
static double motor_torque(int i, double wish, double qd) {
  double limit = effort[i];
  if (!strcmp(motor, "dc") && vlimit[i] > 0 && wish * qd > 0) {
    double f = 1 - fabs(qd) / vlimit[i];
    limit *= f < 0 ? 0 : f;
  }
  return wish > limit ? limit : wish < -limit ? -limit : wish;
}

int main(void) {
  program = "mujoco_robot";
  read_setup();
  mjModel* m = load(urdf, root, floating, ground);
  m->opt.timestep = dt;
  int floor = ground ? mj_name2id(m, mjOBJ_GEOM, "floor") : -1;
  ground_contacts_only(m, floor);
  for (int g = 0; g < m->ngeom; g++) m->geom_friction[3 * g] = friction;  // MuJoCo takes the larger of two geoms' coefficients
  int trunk = mj_name2id(m, mjOBJ_BODY, root);
  if (trunk < 0) die("no body for the root link", root);
  joint_addresses(m, nj, jname, qadr, vadr);
  mjData* d = mj_makeData(m);

  dds_entity_t pp = dds_create_participant((dds_domainid_t)domain, NULL, NULL);
  if (pp < 0) die("cannot create the DDS participant", dds_strretcode(-pp));
  dds_qos_t* sensor = dds_create_qos();
  dds_qset_reliability(sensor, DDS_RELIABILITY_BEST_EFFORT, 0);
  dds_qset_history(sensor, DDS_HISTORY_KEEP_LAST, 5);
  dds_qos_t* reliable = dds_create_qos();
  dds_qset_reliability(reliable, DDS_RELIABILITY_RELIABLE, DDS_MSECS(100));
  dds_qset_history(reliable, DDS_HISTORY_KEEP_LAST, 10);
  dds_entity_t w_js = dds_create_writer(pp, dds_create_topic(pp, &sensor_msgs_msg_dds__JointState__desc, topic_js, NULL, NULL), sensor, NULL);
  dds_entity_t w_imu = dds_create_writer(pp, dds_create_topic(pp, &sensor_msgs_msg_dds__Imu__desc, topic_imu, NULL, NULL), sensor, NULL);
  dds_entity_t w_odom = dds_create_writer(pp, dds_create_topic(pp, &nav_msgs_msg_dds__Odometry__desc, topic_odom, NULL, NULL), sensor, NULL);
  dds_entity_t w_twist = dds_create_writer(pp, dds_create_topic(pp, &geometry_msgs_msg_dds__Twist__desc, topic_cmd_vel, NULL, NULL), reliable, NULL);
  dds_entity_t r_cmd = dds_create_reader(pp, dds_create_topic(pp, &std_msgs_msg_dds__Float64MultiArray__desc, topic_commands, NULL, NULL), reliable, NULL);
  if (w_js < 0 || w_imu < 0 || w_odom < 0 || w_twist < 0 || r_cmd < 0) die("cannot create the DDS readers and writers", NULL);

  double position[MAXJ], velocity[MAXJ], torque[MAXJ], target[MAXJ], filtered[MAXJ];
  sensor_msgs_msg_dds__JointState_ js;
  memset(&js, 0, sizeof js);
  js.header.frame_id = "";
  js.name._length = js.name._maximum = (uint32_t)nj;
  js.name._buffer = jnames;
  js.position._length = js.position._maximum = (uint32_t)nj;
  js.position._buffer = position;
  js.velocity._length = js.velocity._maximum = (uint32_t)nj;
  js.velocity._buffer = velocity;
  js.effort._length = js.effort._maximum = (uint32_t)nj;
  js.effort._buffer = torque;
  sensor_msgs_msg_dds__Imu_ imu;
  memset(&imu, 0, sizeof imu);
  imu.header.frame_id = root;
  imu.linear_acceleration_covariance[0] = -1;  // not served
  nav_msgs_msg_dds__Odometry_ odom;
  memset(&odom, 0, sizeof odom);
  odom.header.frame_id = "odom";
  odom.child_frame_id = root;
  geometry_msgs_msg_dds__Twist_ twist;
  memset(&twist, 0, sizeof twist);
  twist.linear.x = command[0];
  twist.linear.y = command[1];
  twist.angular.z = command[2];

  long delay_steps = lround(delay_ms * 1e-3 / dt), state_steps = lround(1 / (state_hz * dt)), twist_steps = lround(0.1 / dt);
  if (state_steps < 1) state_steps = 1;
  double lag_alpha = lag_ms > 0 ? 1 - exp(-dt / (lag_ms * 1e-3)) : 1;
  printf("ready\n");
  fflush(stdout);

  char line[256];
  while (next_line(line, sizeof line, 1) > 0) {
    int k;
    if (!strncmp(line, "quit", 4)) break;
    if (sscanf(line, "episode %d", &k) != 1) continue;
    mj_resetData(m, d);
    if (floating) {
      d->qpos[0] = base[0]; d->qpos[1] = base[1]; d->qpos[2] = base[2];
      d->qpos[3] = 1; d->qpos[4] = d->qpos[5] = d->qpos[6] = 0;
    }
    for (int i = 0; i < nj; i++) d->qpos[qadr[i]] = target[i] = filtered[i] = jdef[i];
    mj_forward(m, d);
    q_head = q_len = 0;
    long settle_steps = lround(settle_s / dt), episode_steps = lround(episode_s / dt), wait_steps = lround(30 / dt);
    long step = 0, started = -1, commands = 0, overruns = 0, measured = 0;
    double sum_vx = 0, sum_yaw_error = 0, min_height = 1e9, max_tilt = 0;
    const char* why = "time";
    int fell = 0;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (;; step++) {
      void* samples[1] = {NULL};
      dds_sample_info_t info[1];
      int n;
      while ((n = dds_take(r_cmd, samples, info, 1, 1)) > 0) {
        std_msgs_msg_dds__Float64MultiArray_* c = samples[0];
        int ok = info[0].valid_data && c->data._length == (uint32_t)nj && step >= settle_steps;
        for (int i = 0; ok && i < nj; i++) ok = isfinite(c->data._buffer[i]);
        if (ok && q_len < QUEUE) {
          int slot = (q_head + q_len++) % QUEUE;
          memcpy(queued[slot], c->data._buffer, nj * sizeof(double));
          queued_at[slot] = step + delay_steps;
          commands++;
        }
        dds_return_loan(r_cmd, samples, n);
        samples[0] = NULL;
      }
      while (q_len > 0 && queued_at[q_head] <= step) {
        memcpy(target, queued[q_head], nj * sizeof(double));
        q_head = (q_head + 1) % QUEUE;
        q_len--;
      }
      for (int i = 0; i < nj; i++) {
        filtered[i] += lag_alpha * (target[i] - filtered[i]);
        double q = d->qpos[qadr[i]], qd = d->qvel[vadr[i]];
        torque[i] = motor_torque(i, kp[i] * (filtered[i] - q) - kd[i] * qd, qd);
        d->qfrc_applied[vadr[i]] = torque[i];
      }
      mj_step(m, d);
      if (started < 0 && step >= settle_steps && next_line(line, sizeof line, 0) > 0 && !strncmp(line, "policy", 6)) started = step;

      double* R = d->xmat + 9 * trunk;  // the root's orientation, body to world (row-major)
      double v_body[3];
      mju_mulMatTVec(v_body, R, d->qvel, 3, 3);  // a free joint's linear velocity is in the world frame, its angular in the body's
      if (started >= 0) {
        measured++;
        sum_vx += v_body[0];
        sum_yaw_error += fabs(d->qvel[5] - command[2]);
        if (floating) {
          double* qt = d->qpos + 3;
          double roll = atan2(2 * (qt[0] * qt[1] + qt[2] * qt[3]), 1 - 2 * (qt[1] * qt[1] + qt[2] * qt[2]));
          double s = 2 * (qt[0] * qt[2] - qt[3] * qt[1]);
          double pitch = asin(s > 1 ? 1 : s < -1 ? -1 : s);
          if (d->qpos[2] < min_height) min_height = d->qpos[2];
          if (fabs(roll) > max_tilt) max_tilt = fabs(roll);
          if (fabs(pitch) > max_tilt) max_tilt = fabs(pitch);
          if (d->qpos[2] < fall_height) why = "height", fell = 1;
          else if (fabs(roll) > fall_tilt || fabs(pitch) > fall_tilt) why = "tilt", fell = 1;
          for (int c = 0; c < d->ncon && !fell; c++) {
            int b1 = m->geom_bodyid[d->contact[c].geom1], b2 = m->geom_bodyid[d->contact[c].geom2];
            if ((b1 == trunk && d->contact[c].geom2 == floor) || (b2 == trunk && d->contact[c].geom1 == floor)) why = "contact", fell = 1;
          }
        }
        if (fell || step - started >= episode_steps) break;
      } else if (step >= settle_steps + wait_steps) {
        why = commands ? "no_policy" : "no_commands";
        break;
      }

      if (step % state_steps == 0) {
        for (int i = 0; i < nj; i++) { position[i] = d->qpos[qadr[i]]; velocity[i] = d->qvel[vadr[i]]; }
        if (floating) {  // the base first: a node that acts on each joint state finds the base of its instant
          stamp(&imu.header.stamp);
          imu.orientation.w = d->qpos[3]; imu.orientation.x = d->qpos[4]; imu.orientation.y = d->qpos[5]; imu.orientation.z = d->qpos[6];
          imu.angular_velocity.x = d->qvel[3]; imu.angular_velocity.y = d->qvel[4]; imu.angular_velocity.z = d->qvel[5];
          dds_write(w_imu, &imu);
          odom.header.stamp = imu.header.stamp;
          odom.pose.pose.position.x = d->qpos[0]; odom.pose.pose.position.y = d->qpos[1]; odom.pose.pose.position.z = d->qpos[2];
          odom.pose.pose.orientation = imu.orientation;
          odom.twist.twist.linear.x = v_body[0]; odom.twist.twist.linear.y = v_body[1]; odom.twist.twist.linear.z = v_body[2];
          odom.twist.twist.angular = imu.angular_velocity;
          dds_write(w_odom, &odom);
        }
        stamp(&js.header.stamp);
        dds_write(w_js, &js);
      }
      if (step % twist_steps == 0) dds_write(w_twist, &twist);

      add_ns(&next, lround(dt * 1e9));
      struct timespec t;
      clock_gettime(CLOCK_MONOTONIC, &t);
      if (later_than(&t, &next)) {
        overruns++;
        if ((t.tv_sec - next.tv_sec) * 1e9 + (t.tv_nsec - next.tv_nsec) > 0.05e9) next = t;  // far behind: real time from now on, no burst
      } else sleep_until(&next);
    }
    printf("episode %d mean_vx %.6f mean_yaw_rate_error %.6f fell %d why %s seconds %.3f commands %ld overruns %ld min_height %.4f max_tilt %.4f\n", k,
           measured ? sum_vx / measured : 0, measured ? sum_yaw_error / measured : 0, fell, why, measured * dt, commands, overruns,
           min_height < 1e9 ? min_height : 0, max_tilt);
    fflush(stdout);
  }
  dds_delete(pp);
  mj_deleteData(d);
  mj_deleteModel(m);
  return 0;
}
