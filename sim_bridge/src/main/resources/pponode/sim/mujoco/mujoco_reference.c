// MuJoCo as a reference for the embedded simulator: loads the same URDF, gives its root a free
// joint and adds a ground plane where the task says so ("base: floating", "contact: ground"), then
// drives the actuated joints with the task's PD towards random targets in the command range, at the
// task's physics step. Links collide with the ground only (the tasks' self_collision: false).
//
// Reads its setup from stdin, one item per line:
//   urdf <path>                 root <link>            dt <seconds>       seconds <measuring time>
//   base <x> <y> <z>            mode bench|stand       floating 0|1       ground 0|1
//   joint <name> <default> <low> <high> <kp> <kd> <effort limit>     (one per actuated joint)
// mode bench: prints "steps_per_s <v>" (one core, restarting every 1000 steps, 0.3 s untimed first)
//             and "mujoco_version <n>" (mj_version(): 222 for 2.2.2)
// mode stand: holds the default positions for `seconds` and prints "base_height <z>", "base_min <z>"
//             and "base_max <z>" over the last `seconds - 1` of them.
#include <time.h>
#include "mujoco_model.h"

#define MAXJ 64

static char urdf[4096], root[256], mode[16] = "bench";
static double dt = 0.005, seconds = 3, base[3];
static int floating = 1, ground = 1;
static int nj;
static char jname[MAXJ][256];
static double jdef[MAXJ], jlo[MAXJ], jhi[MAXJ], kp[MAXJ], kd[MAXJ], effort[MAXJ];
static int qadr[MAXJ], vadr[MAXJ];

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static unsigned long long rng = 1;
static double uniform(void) {  // xorshift64*: a workload, not statistics
  rng ^= rng >> 12; rng ^= rng << 25; rng ^= rng >> 27;
  return (double)((rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static void start(const mjModel* m, mjData* d) {
  mj_resetData(m, d);
  if (floating) {
    d->qpos[0] = base[0]; d->qpos[1] = base[1]; d->qpos[2] = base[2];
    d->qpos[3] = 1; d->qpos[4] = d->qpos[5] = d->qpos[6] = 0;
  }
  for (int i = 0; i < nj; i++) d->qpos[qadr[i]] = jdef[i];
  mj_forward(m, d);
}

static void pd(const mjModel* m, mjData* d, const double* target) {
  for (int i = 0; i < nj; i++) {
    double tau = kp[i] * (target[i] - d->qpos[qadr[i]]) - kd[i] * d->qvel[vadr[i]];
    if (tau > effort[i]) tau = effort[i];
    if (tau < -effort[i]) tau = -effort[i];
    d->qfrc_applied[vadr[i]] = tau;
  }
}

int main(void) {
  char line[4096];
  while (fgets(line, sizeof line, stdin)) {
    char key[64];
    if (sscanf(line, "%63s", key) != 1) continue;
    if (!strcmp(key, "urdf")) sscanf(line, "%*s %4095s", urdf);
    else if (!strcmp(key, "root")) sscanf(line, "%*s %255s", root);
    else if (!strcmp(key, "dt")) sscanf(line, "%*s %lf", &dt);
    else if (!strcmp(key, "seconds")) sscanf(line, "%*s %lf", &seconds);
    else if (!strcmp(key, "mode")) sscanf(line, "%*s %15s", mode);
    else if (!strcmp(key, "floating")) sscanf(line, "%*s %d", &floating);
    else if (!strcmp(key, "ground")) sscanf(line, "%*s %d", &ground);
    else if (!strcmp(key, "base")) sscanf(line, "%*s %lf %lf %lf", &base[0], &base[1], &base[2]);
    else if (!strcmp(key, "joint") && nj < MAXJ) {
      if (sscanf(line, "%*s %255s %lf %lf %lf %lf %lf %lf", jname[nj], &jdef[nj], &jlo[nj], &jhi[nj], &kp[nj], &kd[nj], &effort[nj]) == 7) nj++;
    }
  }
  program = "mujoco_reference";
  mjModel* m = load(urdf, root, floating, ground);
  m->opt.timestep = dt;
  int floor = ground ? mj_name2id(m, mjOBJ_GEOM, "floor") : -1;
  ground_contacts_only(m, floor);
  joint_addresses(m, nj, jname, qadr, vadr);
  mjData* d = mj_makeData(m);
  double target[MAXJ];
  start(m, d);
  if (!strcmp(mode, "stand")) {
    if (!floating) die("mode stand needs a floating base", NULL);
    double lo = 1e9, hi = -1e9;
    long steps = (long)(seconds / dt + 0.5), settle = (long)(1 / dt + 0.5);
    for (long k = 0; k < steps; k++) {
      pd(m, d, jdef);
      mj_step(m, d);
      if (k >= settle) {
        if (d->qpos[2] < lo) lo = d->qpos[2];
        if (d->qpos[2] > hi) hi = d->qpos[2];
      }
    }
    printf("base_height %.6f\nbase_min %.6f\nbase_max %.6f\n", d->qpos[2], lo, hi);
    return 0;
  }
  long steps = 0, measured = 0;
  double t0 = now(), warm = t0 + 0.3, end = t0 + seconds + 0.3, t1 = 0;
  for (;;) {
    start(m, d);
    for (int k = 0; k < 1000; k++) {
      if ((steps & 63) == 0) for (int i = 0; i < nj; i++) target[i] = jlo[i] + uniform() * (jhi[i] - jlo[i]);
      pd(m, d, target);
      mj_step(m, d);
      steps++;
    }
    double t = now();
    if (t1 == 0 && t > warm) { t1 = t; measured = steps; }
    if (t > end) {
      printf("steps_per_s %.1f\nmujoco_version %d\n", (steps - measured) / (t - t1), mj_version());
      return 0;
    }
  }
}
