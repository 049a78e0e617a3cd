"""ros2 launch ppo_node finetune.launch.py policy:=policy.onnx [operator:=remote] [robot:=false] [teleop:=finetune.yaml]

Teleop-supervised fine-tuning: runs the policy (embedded simulator, or the robot over ROS 2 with
robot:=true), lets an operator take over over MQTT and/or ROS 2 (/ppo_node/teleop/cmd), learns from
the corrections and exports versioned ONNX policies that a deploy node with watch_policy swaps in.
"""
import os
import sys

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, ExecuteProcess
from launch.conditions import IfCondition, UnlessCondition
from launch.substitutions import LaunchConfiguration

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import config_path, ppo_node_command  # noqa: E402


def generate_launch_description():
    return LaunchDescription([
        DeclareLaunchArgument('policy', description='the .onnx policy to fine-tune'),
        DeclareLaunchArgument('operator', default_value='remote', description='remote (MQTT / ROS 2) or scripted'),
        DeclareLaunchArgument('robot', default_value='false', description='true: run on the robot over ROS 2'),
        DeclareLaunchArgument('steps', default_value='81920', description='environment steps of fine-tuning'),
        DeclareLaunchArgument('out', default_value='ppo_logs', description='output directory'),
        DeclareLaunchArgument('teleop', default_value=config_path('finetune.yaml'), description='teleop settings YAML'),
        ExecuteProcess(
            cmd=ppo_node_command('finetune', '--policy', LaunchConfiguration('policy'), '--teleop-config', LaunchConfiguration('teleop'),
                                 '--steps', LaunchConfiguration('steps'), '--out', LaunchConfiguration('out'),
                                 '--operator', LaunchConfiguration('operator')),
            output='screen', condition=UnlessCondition(LaunchConfiguration('robot'))),
        ExecuteProcess(
            cmd=ppo_node_command('finetune', '--policy', LaunchConfiguration('policy'), '--teleop-config', LaunchConfiguration('teleop'),
                                 '--steps', LaunchConfiguration('steps'), '--out', LaunchConfiguration('out'), '--ros'),
            output='screen', condition=IfCondition(LaunchConfiguration('robot'))),
    ])
