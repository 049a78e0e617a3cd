// Shared by the C++ Gazebo worlds: a client that times the C++ library's own request/response round
// trip on a world's control service (WorldControl pause + multi_step), the reference the Java
// bridge's lockstep latency is compared with (ppo-node bench --gazebo).
#pragma once
#include <ignition/msgs.hh>
#include <ignition/transport.hh>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

inline int RunBenchClient(const std::string &world, int n, int steps) {
  ignition::transport::Node node;
  std::string service = "/world/" + world + "/control";
  ignition::msgs::WorldControl req;
  req.set_pause(true);
  req.set_multi_step(static_cast<uint32_t>(steps));
  ignition::msgs::Boolean rep;
  bool result = false;
  for (int i = 0; i < 100 && !node.Request(service, req, 200, rep, result); ++i) {}
  if (!result) { std::cerr << "no answer from " << service << std::endl; return 1; }
  std::vector<double> us;
  for (int i = 0; i < n; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    bool ok = node.Request(service, req, 1000, rep, result);
    auto t1 = std::chrono::steady_clock::now();
    if (!ok || !result) { std::cerr << "request " << i << " failed" << std::endl; return 1; }
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  std::sort(us.begin(), us.end());
  auto pct = [&](double p) { return us[std::min(us.size() - 1, static_cast<size_t>(p * us.size()))]; };
  std::printf("{\"n\":%zu,\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f}\n", us.size(), pct(0.5), pct(0.99), us.back());
  return 0;
}
