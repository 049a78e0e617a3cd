// A URDF robot as a MuJoCo model, shared by the programs in this folder (one translation unit
// each: the functions are static). Links collide with the ground only, as the tasks'
// self_collision: false has it.
#ifndef PPO_NODE_MUJOCO_MODEL_H
#define PPO_NODE_MUJOCO_MODEL_H
#include <mujoco/mujoco.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char* program = "mujoco";

static void die(const char* what, const char* detail) {
  fprintf(stderr, "%s: %s%s%s\n", program, what, detail ? ": " : "", detail ? detail : "");
  exit(2);
}

static char* slurp(const char* path, long* n) {
  FILE* f = fopen(path, "r");
  if (!f) die("cannot read", path);
  fseek(f, 0, SEEK_END);
  *n = ftell(f);
  rewind(f);
  char* text = calloc(*n + 1, 1);
  if (fread(text, 1, *n, f) != (size_t)*n) die("cannot read", path);
  fclose(f);
  return text;
}

static void spill(const char* path, const char* head, size_t headLen, const char* middle, const char* tail) {
  FILE* f = fopen(path, "w");
  if (!f) die("cannot write", path);
  fwrite(head, 1, headLen, f);
  fputs(middle, f);
  fputs(tail, f);
  fclose(f);
}

// The URDF with its root on a free joint (URDF's "floating" joint from a massless world link) and
// MuJoCo's compiler told to take masses from the URDF only (not from geoms of massless links); then
// its MJCF with a ground plane added.
static mjModel* load(const char* urdf, const char* root, int floating, int ground) {
  char err[1000] = "", tmp[] = "/tmp/mujoco_model_XXXXXX";
  int fd = mkstemp(tmp);
  if (fd < 0) die("cannot create a temporary file", NULL);
  long n;
  char* text = slurp(urdf, &n);
  char* robot = strstr(text, "<robot");
  if (!robot) die("not a URDF (no <robot>)", urdf);
  char* robotEnd = strchr(robot, '>') + 1;
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", urdf);
  char* slash = strrchr(dir, '/');
  if (slash) *slash = 0; else strcpy(dir, ".");
  char insert[5000];
  int k = snprintf(insert, sizeof insert,
           "<mujoco><compiler inertiafromgeom=\"false\" fusestatic=\"true\" discardvisual=\"true\" meshdir=\"%s\"/></mujoco>", dir);
  if (floating)
    snprintf(insert + k, sizeof insert - k, "<link name=\"ppo_node_world\"/><joint name=\"ppo_node_free\" type=\"floating\">"
             "<parent link=\"ppo_node_world\"/><child link=\"%s\"/></joint>", root);
  spill(tmp, text, robotEnd - text, insert, robotEnd);
  free(text);
  mjModel* m0 = mj_loadXML(tmp, NULL, err, sizeof err);
  if (!m0) die("cannot load the URDF", err);
  if (!mj_saveLastXML(tmp, m0, err, sizeof err)) die("cannot save the model as MJCF", err);
  mj_deleteModel(m0);
  text = slurp(tmp, &n);
  char* world = strstr(text, "<worldbody>");
  if (!world) die("the MJCF has no worldbody", NULL);
  world += strlen("<worldbody>");
  spill(tmp, text, world - text, ground ? "<geom name=\"floor\" type=\"plane\" size=\"0 0 1\"/>" : "", world);
  free(text);
  mjModel* m = mj_loadXML(tmp, NULL, err, sizeof err);
  remove(tmp);
  if (!m) die("cannot load the MJCF with a ground plane", err);
  return m;
}

// Robot geoms touch the floor, not each other.
static void ground_contacts_only(mjModel* m, int floor) {
  for (int g = 0; g < m->ngeom; g++) {
    m->geom_contype[g] = g == floor ? 0 : 1;
    m->geom_conaffinity[g] = g == floor ? 1 : 0;
  }
}
// Each named joint's position and velocity addresses in the model.
static void joint_addresses(const mjModel* m, int n, char names[][256], int* qadr, int* vadr) {
  for (int i = 0; i < n; i++) {
    int j = mj_name2id(m, mjOBJ_JOINT, names[i]);
    if (j < 0) die("no joint in the model", names[i]);
    qadr[i] = m->jnt_qposadr[j];
    vadr[i] = m->jnt_dofadr[j];
  }
}
#endif
