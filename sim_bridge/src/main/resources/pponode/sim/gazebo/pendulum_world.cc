// A stand-in for a Gazebo world, linked against the real Gazebo Transport library
// (libignition-transport11): one pendulum (a revolute joint with a point mass) that speaks the
// topics and services of gz-sim exactly as gz-sim does, so that ppo_node's Java bridge can be
// tested and benchmarked against the real library on any machine without Gazebo itself.
//
//   /world/<w>/control                      service  WorldControl -> Boolean
//        pause, step, multi_step (queued: the reply only means "accepted"), reset{all,time_only,model_only}
//   /world/<w>/model/<m>/joint_state        topic    Model, stamped with sim time, every iteration
//                                                    (re-sent at 10 Hz while paused, like gz-sim's
//                                                    JointStatePublisher in a paused world)
//   /model/<m>/joint/<j>/cmd_force          topic    Double, held until the next command (ApplyJointForce)
//   /world/<w>/stats                        topic    WorldStatistics at 5 Hz and after each multi_step
//
// --reset-time-only makes reset{all} rewind time only, as Gazebo Fortress does.
// --bench-client N runs instead a client that times N WorldControl requests with the C++ library.
#include <ignition/msgs.hh>
#include <ignition/transport.hh>

#include "world_bench_client.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {
std::atomic<bool> g_stop(false);
void onSignal(int) { g_stop = true; }

struct Args {
  std::string world = "pendulum_world", model = "pendulum", joint = "hinge";
  double dt = 0.001, mass = 1.0, length = 0.5, damping = 0.05, effort = 5.0, gravity = 9.81, q0 = 0.0;
  bool resetTimeOnly = false, run = false;
  int benchN = 0, benchSteps = 20;
};

double arg(char **argv, int &i, int argc) {
  if (i + 1 >= argc) { std::cerr << "missing value for " << argv[i] << std::endl; std::exit(2); }
  return std::atof(argv[++i]);
}

Args parse(int argc, char **argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (k == "--world" && i + 1 < argc) a.world = argv[++i];
    else if (k == "--model" && i + 1 < argc) a.model = argv[++i];
    else if (k == "--joint" && i + 1 < argc) a.joint = argv[++i];
    else if (k == "--dt") a.dt = arg(argv, i, argc);
    else if (k == "--mass") a.mass = arg(argv, i, argc);
    else if (k == "--length") a.length = arg(argv, i, argc);
    else if (k == "--damping") a.damping = arg(argv, i, argc);
    else if (k == "--effort") a.effort = arg(argv, i, argc);
    else if (k == "--gravity") a.gravity = arg(argv, i, argc);
    else if (k == "--q0") a.q0 = arg(argv, i, argc);
    else if (k == "--reset-time-only") a.resetTimeOnly = true;
    else if (k == "--run") a.run = true;
    else if (k == "--bench-client") a.benchN = static_cast<int>(arg(argv, i, argc));
    else if (k == "--bench-steps") a.benchSteps = static_cast<int>(arg(argv, i, argc));
    else { std::cerr << "unknown argument " << k << std::endl; std::exit(2); }
  }
  return a;
}

class PendulumWorld {
 public:
  explicit PendulumWorld(const Args &a) : a_(a), q_(a.q0), paused_(!a.run) {
    stateTopic_ = "/world/" + a.world + "/model/" + a.model + "/joint_state";
    statePub_ = node_.Advertise<ignition::msgs::Model>(stateTopic_);
    statsPub_ = node_.Advertise<ignition::msgs::WorldStatistics>("/world/" + a.world + "/stats");
    node_.Subscribe("/model/" + a.model + "/joint/" + a.joint + "/cmd_force", &PendulumWorld::OnForce, this);
    node_.Advertise("/world/" + a.world + "/control", &PendulumWorld::OnControl, this);
  }

  void Run() {
    std::cout << "READY " << stateTopic_ << std::endl;
    auto nextIdle = std::chrono::steady_clock::now();
    auto nextStats = nextIdle;
    while (!g_stop) {
      std::unique_lock<std::mutex> lk(m_);
      if (pendingSteps_ == 0 && paused_) {
        cv_.wait_until(lk, nextIdle, [this] { return pendingSteps_ > 0 || !paused_ || g_stop; });
      }
      auto now = std::chrono::steady_clock::now();
      if (pendingSteps_ > 0) {
        // queued multi_step: run them back to back, then stay paused (gz-sim's blocking paused steps)
        while (pendingSteps_ > 0) {
          StepLocked();
          --pendingSteps_;
          PublishStateLocked();
        }
        PublishStatsLocked();
        nextIdle = now + std::chrono::milliseconds(100);
      } else if (!paused_) {
        StepLocked();
        PublishStateLocked();
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
  void StepLocked() {
    double inertia = a_.mass * a_.length * a_.length;
    double tau = std::max(-a_.effort, std::min(a_.effort, force_));  // the physics engine honours the effort limit
    double acc = (tau - a_.mass * a_.gravity * a_.length * std::sin(q_) - a_.damping * qd_) / inertia;
    qd_ += acc * a_.dt;  // semi-implicit Euler
    q_ += qd_ * a_.dt;
    appliedForce_ = tau;
    ++iterations_;
  }

  void Stamp(ignition::msgs::Time *t) const {
    // sim time from the iteration count, so that a lockstep client can wait for an exact stamp
    int64_t ns = static_cast<int64_t>(std::llround(static_cast<double>(iterations_) * a_.dt * 1e9));
    t->set_sec(ns / 1000000000);
    t->set_nsec(static_cast<int32_t>(ns % 1000000000));
  }

  void PublishStateLocked() {
    ignition::msgs::Model msg;
    Stamp(msg.mutable_header()->mutable_stamp());
    auto *frame = msg.mutable_header()->add_data();
    frame->set_key("frame_id");
    frame->add_value(a_.model);
    msg.set_name(a_.model);
    msg.set_id(8);
    auto *j = msg.add_joint();
    j->set_name(a_.joint);
    j->set_id(9);
    j->set_parent("world");
    j->set_child("pole");
    j->mutable_axis1()->set_position(q_);
    j->mutable_axis1()->set_velocity(qd_);
    j->mutable_axis1()->set_force(appliedForce_);
    statePub_.Publish(msg);
  }

  void PublishStatsLocked() {
    ignition::msgs::WorldStatistics s;
    Stamp(s.mutable_sim_time());
    s.set_paused(paused_ && pendingSteps_ == 0);
    s.set_iterations(iterations_);
    s.set_model_count(1);
    s.mutable_step_size()->set_nsec(static_cast<int32_t>(a_.dt * 1e9));
    statsPub_.Publish(s);
  }

  void OnForce(const ignition::msgs::Double &_msg) {
    std::lock_guard<std::mutex> lk(m_);
    if (std::isfinite(_msg.data())) force_ = _msg.data();
  }

  bool OnControl(const ignition::msgs::WorldControl &_req, ignition::msgs::Boolean &_rep) {
    {
      std::lock_guard<std::mutex> lk(m_);
      if (_req.has_reset()) {
        const auto &r = _req.reset();
        bool time = r.all() || r.time_only();
        bool model = (r.all() && !a_.resetTimeOnly) || r.model_only();
        if (time) iterations_ = 0;
        if (model) { q_ = a_.q0; qd_ = 0; force_ = 0; appliedForce_ = 0; }
        pendingSteps_ = 0;
        PublishStateLocked();
      }
      paused_ = _req.pause();
      if (_req.multi_step() > 0) pendingSteps_ += _req.multi_step();
      else if (_req.step()) pendingSteps_ += 1;
    }
    cv_.notify_all();
    _rep.set_data(true);
    return true;
  }

  Args a_;
  ignition::transport::Node node_;
  ignition::transport::Node::Publisher statePub_, statsPub_;
  std::string stateTopic_;
  std::mutex m_;
  std::condition_variable cv_;
  double q_, qd_ = 0, force_ = 0, appliedForce_ = 0;
  uint64_t iterations_ = 0, pendingSteps_ = 0;
  bool paused_;
};

}  // namespace

int main(int argc, char **argv) {
  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
  Args a = parse(argc, argv);
  if (a.benchN > 0) return RunBenchClient(a.world, a.benchN, a.benchSteps);
  PendulumWorld world(a);
  world.Run();
  return 0;
}
