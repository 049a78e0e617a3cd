// A Gazebo world built from Gazebo's own libraries: sdformat 12 turns the robot's URDF into the SDF
// gz-sim simulates, ignition-physics 5 steps it with its DART plugin (gz-sim's default physics
// engine), and ign-transport 11 serves the topics and services gz-sim's systems serve:
//
//   /world/<w>/control                      service  WorldControl -> Boolean (gz-sim's world control)
//        pause, step, multi_step (queued: the reply only means "accepted"),
//        reset{all, time_only, model_only} (--reset-time-only: reset{all} rewinds time only, as Fortress)
//   /world/<w>/model/<m>/joint_state        topic    Model, every iteration, stamped with sim time
//                                                    (JointStatePublisher; re-sent at 10 Hz while paused).
//                                                    --state-rate HZ: at that rate of sim time instead, as
//                                                    JointStatePublisher's <update_rate> (and the base pose,
//                                                    odometry and contacts below with it, as
//                                                    OdometryPublisher's <odom_publish_frequency> and the
//                                                    contact sensor's <update_rate>); the state after the last
//                                                    step of a multi_step is always sent
//   /model/<m>/joint/<j>/cmd_force          topic    Double, held until the next one (ApplyJointForce)
//   /model/<m>/joint/<j>/cmd_vel            topic    Double (JointController, velocity mode)
//   /model/<m>/joint/<j>/0/cmd_pos          topic    Double (JointPositionController: PD to effort with
//                                                    the --pd gains, clamped to the URDF effort limit)
//   /world/<w>/stats                        topic    WorldStatistics at 5 Hz and after each multi_step
//   /world/<w>/pose/info                    topic    Pose_V of the model's base link, every iteration
//                                                    (SceneBroadcaster's dynamic poses)
//   /model/<m>/odometry                     topic    Odometry of the base link, every iteration (OdometryPublisher:
//                                                    pose in the world frame, twist in the base's own frame)
//   /world/<w>/model/<m>/contacts           topic    Contacts of the last physics step, every iteration, in a world
//                                                    with ground: per touching pair, the URDF links (collision1/2),
//                                                    the points, and wrench[0] with the force on each link (world frame)
//
// Lockstep needs an order stock gz-sim does not give: a client publishes its joint commands, then
// asks for multi_step, and the two travel on different sockets, so the step can start before the
// commands arrive and use the previous ones (a training run then differs from its rerun). A
// command whose header is stamped with the sim time it is meant for (ppo_node's bridge stamps
// them) makes this world wait, before a multi_step from sim time T, until every joint commanded
// that way has its command stamped T (at most --command-wait-ms, default 1000; then it steps with
// what it has). Unstamped commands apply as they come, as in gz-sim.
//
// Unlike stock gz-sim, a reset{model_only} puts the joints (and a free base) back at the start given
// on the command line exactly; stock gz-sim needs its own reset support in each system.
//
// --bench-client N runs instead a client that times N WorldControl requests with the C++ library.
#include <ignition/msgs.hh>
#include <ignition/physics/FindFeatures.hh>
#include <ignition/physics/ForwardStep.hh>
#include <ignition/physics/FrameSemantics.hh>
#include <ignition/physics/FreeGroup.hh>
#include <ignition/physics/GetContacts.hh>
#include <ignition/physics/GetEntities.hh>
#include <ignition/physics/Joint.hh>
#include <ignition/physics/RequestEngine.hh>
#include <ignition/physics/sdf/ConstructModel.hh>
#include <ignition/physics/sdf/ConstructWorld.hh>
#include <ignition/plugin/Loader.hh>
#include <ignition/transport.hh>
#include <sdf/Root.hh>
#include <sdf/World.hh>

#include "world_bench_client.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {
namespace physics = ignition::physics;

std::atomic<bool> g_stop(false);
void onSignal(int) { g_stop = true; }

using Features = physics::FeatureList<
    physics::sdf::ConstructSdfWorld, physics::sdf::ConstructSdfModel, physics::ForwardStep, physics::GetModelFromWorld,
    physics::GetJointFromModel, physics::GetLinkFromModel, physics::GetBasicJointState, physics::SetBasicJointState,
    physics::GetBasicJointProperties, physics::SetJointVelocityCommandFeature, physics::LinkFrameSemantics,
    physics::FindFreeGroupFeature, physics::SetFreeGroupWorldPose, physics::SetFreeGroupWorldVelocity, physics::GetContactsFromLastStepFeature,
    physics::GetShapeFromLink>;
using Engine = physics::Engine3dPtr<Features>;
using World = physics::World3dPtr<Features>;
using WorldEntity = physics::World<physics::FeaturePolicy3d, Features>;
using Model = physics::Model3dPtr<Features>;
using Joint = physics::Joint3dPtr<Features>;
using Link = physics::Link3dPtr<Features>;
using Shape = physics::Shape3dPtr<Features>;

// The URDF link a collision shape belongs to. sdformat merges a link on a fixed joint into its
// parent (a foot into its calf) and names its collision "<parent>_fixed_joint_lump__<link>_collision":
// the contact is the foot's, as the URDF and the task say, not the calf's.
std::string urdfLinkOf(const Shape &shape) {
  const std::string &n = shape->GetName();
  static const std::string lump = "_fixed_joint_lump__";
  auto at = n.find(lump);
  if (at != std::string::npos) {
    auto start = at + lump.size(), end = n.rfind("_collision");
    if (end != std::string::npos && end > start) return n.substr(start, end - start);
  }
  return shape->GetLink()->GetName();
}

struct PdGains { double kp = 0, kd = 0; };

struct Args {
  std::string world = "robot_world", model = "robot", urdf, root, base, plugin;
  double dt = 0.001, gravity = 9.81, friction = 1.0;
  bool fixedBase = true, ground = false, resetTimeOnly = false, run = false;
  double basePose[3] = {0, 0, 0};
  std::map<std::string, double> q0;
  std::map<std::string, PdGains> pd;
  int benchN = 0, benchSteps = 20;
  double commandWaitMs = 1000;
  double stateRate = 0;  // Hz of sim time; 0: every iteration
};

[[noreturn]] void usage(const std::string &why) {
  std::cerr << "dart_world: " << why << std::endl;
  std::exit(2);
}

double number(const std::string &s, const std::string &what) {
  char *end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0' || !std::isfinite(v)) usage("not a number for " + what + ": '" + s + "'");
  return v;
}

// NAME=V1[:V2...]
std::pair<std::string, std::vector<double>> named(const std::string &s, const std::string &what) {
  auto eq = s.find('=');
  if (eq == std::string::npos || eq == 0) usage(what + " wants NAME=VALUE, got '" + s + "'");
  std::vector<double> values;
  std::stringstream rest(s.substr(eq + 1));
  std::string part;
  while (std::getline(rest, part, ':')) values.push_back(number(part, what + " " + s.substr(0, eq)));
  return {s.substr(0, eq), values};
}

Args parse(int argc, char **argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage("missing value for " + k);
      return argv[++i];
    };
    if (k == "--world") a.world = value();
    else if (k == "--model") a.model = value();
    else if (k == "--urdf") a.urdf = value();
    else if (k == "--root") a.root = value();
    else if (k == "--plugin") a.plugin = value();
    else if (k == "--dt") a.dt = number(value(), k);
    else if (k == "--gravity") a.gravity = number(value(), k);
    else if (k == "--friction") a.friction = number(value(), k);
    else if (k == "--floating") a.fixedBase = false;
    else if (k == "--ground") a.ground = true;
    else if (k == "--base-position") {
      auto v = named("xyz=" + value(), k).second;
      if (v.size() != 3) usage("--base-position wants X:Y:Z");
      for (int d = 0; d < 3; ++d) a.basePose[d] = v[d];
    } else if (k == "--q0") {
      auto [name, v] = named(value(), k);
      if (v.size() != 1) usage("--q0 wants JOINT=POSITION");
      a.q0[name] = v[0];
    } else if (k == "--pd") {
      auto [name, v] = named(value(), k);
      if (v.size() != 2) usage("--pd wants JOINT=KP:KD");
      a.pd[name] = PdGains{v[0], v[1]};
    } else if (k == "--state-rate") {
      a.stateRate = number(value(), k);
      if (a.stateRate < 0) usage("--state-rate wants a rate in Hz (0: every iteration)");
    } else if (k == "--reset-time-only") a.resetTimeOnly = true;
    else if (k == "--run") a.run = true;
    else if (k == "--bench-client") a.benchN = static_cast<int>(number(value(), k));
    else if (k == "--bench-steps") a.benchSteps = static_cast<int>(number(value(), k));
    else usage("unknown argument " + k);
  }
  if (a.benchN == 0 && (a.urdf.empty() || a.root.empty() || a.plugin.empty())) usage("--urdf, --root and --plugin are required");
  return a;
}

std::string readFile(const std::string &path) {
  std::ifstream in(path);
  if (!in) usage("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The robot as the SDF model gz-sim would simulate: sdformat's own URDF conversion. A fixed base is
// welded to the world the way a URDF tells Gazebo so, by naming its root link "world" (sdformat
// silently drops a free root link without mass, and everything under it; a fixed root's mass and
// shapes do not move anything).
std::string replaceAll(std::string s, const std::string &from, const std::string &to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

std::string modelSdf(const Args &a) {
  std::string urdf = readFile(a.urdf);
  if (a.fixedBase && a.root != "world") {
    for (const char *quote : {"\"", "'"}) {
      std::string q = quote;
      urdf = replaceAll(urdf, "link=" + q + a.root + q, "link=" + q + "world" + q);
      urdf = replaceAll(urdf, "name=" + q + a.root + q, "name=" + q + "world" + q);
    }
  }
  sdf::Root robot;
  auto errors = robot.LoadSdfString(urdf);
  if (!errors.empty() || robot.Model() == nullptr) {
    std::cerr << "dart_world: sdformat cannot load " << a.urdf << ":";
    for (const auto &e : errors) std::cerr << " " << e.Message();
    std::cerr << std::endl;
    std::exit(2);
  }
  std::string xml = robot.Element()->GetFirstElement()->ToString("");
  // the model's name is the one the topics carry
  auto nameAt = xml.find("name='");
  if (nameAt != std::string::npos) {
    auto close = xml.find('\'', nameAt + 6);
    xml.replace(nameAt + 6, close - nameAt - 6, a.model);
  }
  return xml;
}

std::string worldSdf(const Args &a) {
  std::ostringstream w;
  w << "<?xml version='1.0'?><sdf version='1.8'><world name='" << a.world << "'>"
    << "<physics name='dart' type='dart'><max_step_size>" << a.dt << "</max_step_size><real_time_factor>0</real_time_factor></physics>"
    << "<gravity>0 0 " << -a.gravity << "</gravity>";
  if (a.ground) {
    w << "<model name='ground_plane'><static>true</static><link name='link'><collision name='collision'><geometry><plane><normal>0 0 1</normal>"
      << "<size>100 100</size></plane></geometry><surface><friction><ode><mu>" << a.friction << "</mu><mu2>" << a.friction
      << "</mu2></ode></friction></surface></collision></link></model>";
  }
  w << modelSdf(a) << "</world></sdf>";
  return w.str();
}

class DartWorld {
 public:
  explicit DartWorld(const Args &a) : a_(a), paused_(!a.run) {
    ignition::plugin::Loader loader;
    auto names = loader.LoadLib(a.plugin);
    if (names.empty()) usage("cannot load the physics engine " + a.plugin);
    auto plugin = loader.Instantiate("ignition::physics::dartsim::Plugin");
    if (!plugin) usage(a.plugin + " has no ignition::physics::dartsim::Plugin");
    engine_ = physics::RequestEngine3d<Features>::From(plugin);
    if (!engine_) usage("the DART engine lacks a feature this world needs");
    plugin_ = plugin;
    sdf::Root root;
    std::string sdfText = worldSdf(a);
    auto errors = root.LoadSdfString(sdfText);
    if (!errors.empty() || root.WorldCount() == 0) {
      std::cerr << "dart_world: the world's SDF does not load:";
      for (const auto &e : errors) std::cerr << " " << e.Message();
      std::cerr << std::endl;
      std::exit(2);
    }
    world_ = engine_->ConstructWorld(*root.WorldByIndex(0));
    model_ = world_->GetModel(a.model);
    if (!model_) usage("the world has no model '" + a.model + "' after loading " + a.urdf);
    for (std::size_t i = 0; i < model_->GetJointCount(); ++i) {
      Joint j = model_->GetJoint(i);
      if (j->GetDegreesOfFreedom() != 1) continue;  // the fixed base and fixed joints sdformat kept
      joints_.push_back(j);
      names_.push_back(j->GetName());
    }
    for (const auto &[name, gains] : a.pd) {
      if (std::find(names_.begin(), names_.end(), name) == names_.end()) usage("--pd names joint '" + name + "', which the model does not move");
    }
    for (const auto &[name, q] : a.q0) {
      if (std::find(names_.begin(), names_.end(), name) == names_.end()) usage("--q0 names joint '" + name + "', which the model does not move");
    }
    base_ = model_->GetLink(a.root);
    if (!base_ && !a.fixedBase) usage("the model has no link '" + a.root + "'");
    force_.assign(joints_.size(), 0.0);
    velocityCmd_.assign(joints_.size(), NAN);
    positionCmd_.assign(joints_.size(), NAN);
    applied_.assign(joints_.size(), 0.0);
    gains_.resize(joints_.size());
    stamped_.assign(joints_.size(), false);
    commandStamp_.assign(joints_.size(), -1);
    for (std::size_t i = 0; i < joints_.size(); ++i) {
      auto g = a.pd.find(names_[i]);
      if (g != a.pd.end()) gains_[i] = g->second;
    }
    ResetModelLocked();

    stateTopic_ = "/world/" + a.world + "/model/" + a.model + "/joint_state";
    statePub_ = node_.Advertise<ignition::msgs::Model>(stateTopic_);
    statsPub_ = node_.Advertise<ignition::msgs::WorldStatistics>("/world/" + a.world + "/stats");
    if (a.ground) contactsPub_ = node_.Advertise<ignition::msgs::Contacts>("/world/" + a.world + "/model/" + a.model + "/contacts");
    if (!a.fixedBase) {
      posePub_ = node_.Advertise<ignition::msgs::Pose_V>("/world/" + a.world + "/pose/info");
      odomPub_ = node_.Advertise<ignition::msgs::Odometry>("/model/" + a.model + "/odometry");
    }
    for (std::size_t i = 0; i < joints_.size(); ++i) {
      std::string prefix = "/model/" + a.model + "/joint/" + names_[i];
      std::function<void(const ignition::msgs::Double &)> onForce = [this, i](const ignition::msgs::Double &m) { Command(i, m, 0); };
      std::function<void(const ignition::msgs::Double &)> onVel = [this, i](const ignition::msgs::Double &m) { Command(i, m, 1); };
      std::function<void(const ignition::msgs::Double &)> onPos = [this, i](const ignition::msgs::Double &m) { Command(i, m, 2); };
      node_.Subscribe(prefix + "/cmd_force", onForce);
      node_.Subscribe(prefix + "/cmd_vel", onVel);
      node_.Subscribe(prefix + "/0/cmd_pos", onPos);
    }
    node_.Advertise("/world/" + a.world + "/control", &DartWorld::OnControl, this);
  }

  void Run() {
    std::cout << "READY " << stateTopic_ << " joints";
    for (const auto &n : names_) std::cout << " " << n;
    std::cout << std::endl;
    auto nextIdle = std::chrono::steady_clock::now();
    auto nextStats = nextIdle;
    while (!g_stop) {
      std::unique_lock<std::mutex> lk(m_);
      if (pendingSteps_ == 0 && paused_) {
        cv_.wait_until(lk, nextIdle, [this] { return pendingSteps_ > 0 || !paused_ || g_stop; });
      }
      auto now = std::chrono::steady_clock::now();
      if (pendingSteps_ > 0) {
        // the commands published before this request first (see the top of this file)
        auto wait = stepAsked_ + std::chrono::microseconds(static_cast<int64_t>(a_.commandWaitMs * 1000));
        if (!cv_.wait_until(lk, wait, [this] { return CommandsFreshLocked() || g_stop; })) {
          std::cout << "late commands: stepped from " << SimTimeNs() << " ns without the commands stamped for it after " << a_.commandWaitMs << " ms"
                    << std::endl;
        }
        // queued multi_step: back to back, then paused again (gz-sim's blocking paused steps)
        while (pendingSteps_ > 0) {
          int64_t before = SimTimeNs();
          StepLocked();
          --pendingSteps_;
          if (pendingSteps_ == 0 || StateDueLocked(before)) PublishStateLocked();
        }
        PublishStatsLocked();
        nextIdle = now + std::chrono::milliseconds(100);
      } else if (!paused_) {
        int64_t before = SimTimeNs();
        StepLocked();
        if (StateDueLocked(before)) PublishStateLocked();
        lk.unlock();
        std::this_thread::sleep_for(std::chrono::duration<double>(a_.dt));  // real-time factor <= 1
        lk.lock();
      } else if (now >= nextIdle) {
        PublishStateLocked();
        nextIdle = now + std::chrono::milliseconds(100);
      }
      if (now >= nextStats) {
        PublishStatsLocked();
        nextStats = now + std::chrono::milliseconds(200);
      }
    }
  }

 private:
  // mode 0: effort, 1: velocity, 2: position; the latest command of any kind is what the joint follows
  void Command(std::size_t i, const ignition::msgs::Double &m, int mode) {
    double value = m.data();
    if (!std::isfinite(value)) return;
    {
      std::lock_guard<std::mutex> lk(m_);
      force_[i] = mode == 0 ? value : 0.0;
      velocityCmd_[i] = mode == 1 ? value : NAN;
      positionCmd_[i] = mode == 2 ? value : NAN;
      if (m.has_header() && m.header().has_stamp()) {
        stamped_[i] = true;
        commandStamp_[i] = m.header().stamp().sec() * 1000000000LL + m.header().stamp().nsec();
      }
    }
    cv_.notify_all();
  }

  int64_t SimTimeNs() const { return static_cast<int64_t>(std::llround(static_cast<double>(iterations_) * a_.dt * 1e9)); }

  // every joint commanded with a stamp has its command for now
  bool CommandsFreshLocked() const {
    int64_t now = SimTimeNs();
    for (std::size_t i = 0; i < stamped_.size(); ++i) if (stamped_[i] && commandStamp_[i] != now) return false;
    return true;
  }

  void StepLocked() {
    for (std::size_t i = 0; i < joints_.size(); ++i) {
      Joint &j = joints_[i];
      if (std::isfinite(velocityCmd_[i])) {
        j->SetVelocityCommand(0, velocityCmd_[i]);
        applied_[i] = 0;
        continue;
      }
      double tau = force_[i];
      if (std::isfinite(positionCmd_[i])) tau = gains_[i].kp * (positionCmd_[i] - j->GetPosition(0)) - gains_[i].kd * j->GetVelocity(0);
      // DART clamps the force to the URDF effort limit and forgets it after the step: keep what was asked
      j->SetForce(0, tau);
      applied_[i] = tau;
    }
    physics::ForwardStep::Output output;
    physics::ForwardStep::State state;
    physics::ForwardStep::Input input;
    input.Get<std::chrono::steady_clock::duration>() = std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(a_.dt));
    world_->Step(output, state, input);
    ++iterations_;
  }

  void ResetModelLocked() {
    for (std::size_t i = 0; i < joints_.size(); ++i) {
      auto q = a_.q0.find(names_[i]);
      joints_[i]->SetPosition(0, q == a_.q0.end() ? 0.0 : q->second);
      joints_[i]->SetVelocity(0, 0.0);
      force_[i] = 0;
      velocityCmd_[i] = NAN;
      positionCmd_[i] = NAN;
      applied_[i] = 0;
    }
    if (!a_.fixedBase) {
      auto group = model_->FindFreeGroup();
      if (group) {
        Eigen::Isometry3d pose = Eigen::Isometry3d::Identity();
        pose.translation() = Eigen::Vector3d(a_.basePose[0], a_.basePose[1], a_.basePose[2]);
        group->SetWorldPose(pose);
        group->SetWorldLinearVelocity(Eigen::Vector3d::Zero());
        group->SetWorldAngularVelocity(Eigen::Vector3d::Zero());
      }
    }
  }

  void Stamp(ignition::msgs::Time *t) const {
    // sim time from the iteration count, so that a lockstep client can wait for an exact stamp
    int64_t ns = SimTimeNs();
    t->set_sec(ns / 1000000000);
    t->set_nsec(static_cast<int32_t>(ns % 1000000000));
  }

  // Whether the step from sim time `before` to now crossed a multiple of the --state-rate period.
  bool StateDueLocked(int64_t before) const {
    if (a_.stateRate <= 0) return true;
    double period = 1e9 / a_.stateRate;
    return std::floor((SimTimeNs() + 0.5) / period) > std::floor((before + 0.5) / period);
  }

  void PublishStateLocked() {
    ignition::msgs::Model msg;
    Stamp(msg.mutable_header()->mutable_stamp());
    auto *frame = msg.mutable_header()->add_data();
    frame->set_key("frame_id");
    frame->add_value(a_.model);
    msg.set_name(a_.model);
    for (std::size_t i = 0; i < joints_.size(); ++i) {
      auto *j = msg.add_joint();
      j->set_name(names_[i]);
      j->set_id(i);
      j->mutable_axis1()->set_position(joints_[i]->GetPosition(0));
      j->mutable_axis1()->set_velocity(joints_[i]->GetVelocity(0));
      j->mutable_axis1()->set_force(applied_[i]);
    }
    statePub_.Publish(msg);
    if (a_.ground) PublishContactsLocked();
    if (a_.fixedBase || !base_) return;
    auto data = base_->FrameDataRelativeToWorld();
    Eigen::Quaterniond rot(data.pose.linear());
    ignition::msgs::Pose_V poses;
    Stamp(poses.mutable_header()->mutable_stamp());
    auto *p = poses.add_pose();
    p->set_name(a_.model);
    Fill(p, data.pose.translation(), rot);
    posePub_.Publish(poses);
    ignition::msgs::Odometry odom;
    Stamp(odom.mutable_header()->mutable_stamp());
    Fill(odom.mutable_pose(), data.pose.translation(), rot);
    Eigen::Vector3d v = rot.inverse() * data.linearVelocity, w = rot.inverse() * data.angularVelocity;
    auto *tw = odom.mutable_twist();
    Set(tw->mutable_linear(), v);
    Set(tw->mutable_angular(), w);
    odomPub_.Publish(odom);
  }

  void PublishContactsLocked() {
    ignition::msgs::Contacts out;
    Stamp(out.mutable_header()->mutable_stamp());
    if (iterations_ > 0) {  // a reset has no last step
      for (const auto &c : world_->GetContactsFromLastStep()) {
        const auto &point = c.template Get<WorldEntity::ContactPoint>();
        auto *contact = out.add_contact();
        std::string link1 = urdfLinkOf(point.collision1), link2 = urdfLinkOf(point.collision2);
        contact->mutable_collision1()->set_name(link1);
        contact->mutable_collision1()->set_type(ignition::msgs::Entity::LINK);
        contact->mutable_collision2()->set_name(link2);
        contact->mutable_collision2()->set_type(ignition::msgs::Entity::LINK);
        auto *p = contact->add_position();
        Set(p, point.point);
        auto *w = contact->add_wrench();
        w->set_body_1_name(link1);
        w->set_body_2_name(link2);
        const auto *extra = c.template Query<WorldEntity::ExtraContactData>();
        if (extra) {
          Set(w->mutable_body_1_wrench()->mutable_force(), extra->force);
          Set(w->mutable_body_2_wrench()->mutable_force(), -extra->force);
        }
      }
    }
    contactsPub_.Publish(out);
  }

  static void Set(ignition::msgs::Vector3d *out, const Eigen::Vector3d &v) {
    out->set_x(v.x());
    out->set_y(v.y());
    out->set_z(v.z());
  }

  static void Fill(ignition::msgs::Pose *p, const Eigen::Vector3d &x, const Eigen::Quaterniond &q) {
    Set(p->mutable_position(), x);
    p->mutable_orientation()->set_w(q.w());
    p->mutable_orientation()->set_x(q.x());
    p->mutable_orientation()->set_y(q.y());
    p->mutable_orientation()->set_z(q.z());
  }

  void PublishStatsLocked() {
    ignition::msgs::WorldStatistics s;
    Stamp(s.mutable_sim_time());
    s.set_paused(paused_ && pendingSteps_ == 0);
    s.set_iterations(iterations_);
    s.set_model_count(a_.ground ? 2 : 1);
    s.mutable_step_size()->set_nsec(static_cast<int32_t>(a_.dt * 1e9));
    statsPub_.Publish(s);
  }

  bool OnControl(const ignition::msgs::WorldControl &_req, ignition::msgs::Boolean &_rep) {
    {
      std::lock_guard<std::mutex> lk(m_);
      if (_req.has_reset()) {
        const auto &r = _req.reset();
        bool time = r.all() || r.time_only();
        bool model = (r.all() && !a_.resetTimeOnly) || r.model_only();
        if (time) {
          iterations_ = 0;
          // commands stamped for the old timeline must not pass for the new one's (a client's
          // restore steps from t = 0 before a time reset would stand in for the first real step's)
          std::fill(commandStamp_.begin(), commandStamp_.end(), -1);
        }
        if (model) ResetModelLocked();
        pendingSteps_ = 0;
        PublishStateLocked();
      }
      paused_ = _req.pause();
      if (_req.multi_step() > 0) pendingSteps_ += _req.multi_step();
      else if (_req.step()) pendingSteps_ += 1;
      stepAsked_ = std::chrono::steady_clock::now();
    }
    cv_.notify_all();
    _rep.set_data(true);
    return true;
  }

  Args a_;
  std::vector<bool> stamped_;  // per joint: commanded with a stamped header
  std::vector<int64_t> commandStamp_;  // per joint: the sim time (ns) its latest command is for
  std::chrono::steady_clock::time_point stepAsked_;
  ignition::plugin::PluginPtr plugin_;
  Engine engine_;
  World world_;
  Model model_;
  Link base_;
  std::vector<Joint> joints_;
  std::vector<std::string> names_;
  std::vector<double> force_, velocityCmd_, positionCmd_, applied_;
  std::vector<PdGains> gains_;
  ignition::transport::Node node_;
  ignition::transport::Node::Publisher statePub_, statsPub_, posePub_, odomPub_, contactsPub_;
  std::string stateTopic_;
  std::mutex m_;
  std::condition_variable cv_;
  uint64_t iterations_ = 0, pendingSteps_ = 0;
  bool paused_;
};

}  // namespace

int main(int argc, char **argv) {
  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
  Args a = parse(argc, argv);
  if (a.benchN > 0) return RunBenchClient(a.world, a.benchN, a.benchSteps);
  DartWorld world(a);
  world.Run();
  return 0;
}
