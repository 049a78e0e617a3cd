"""ros2 launch ppo_node deploy.launch.py policy:=/path/policy.onnx [task:=reacher_2dof]

Runs an exported policy on the robot: joint states in, forward-command-controller commands out,
with the watchdog and e-stop of config/deploy.yaml.
"""
import os
import sys

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, ExecuteProcess
from launch.substitutions import LaunchConfiguration

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import config_path, ppo_node_command  # noqa: E402


def generate_launch_description():
    return LaunchDescription([
        DeclareLaunchArgument('policy', description='exported .onnx policy'),
        DeclareLaunchArgument('task', default_value='reacher_2dof', description='task name or task YAML path'),
        DeclareLaunchArgument('params_file', default_value=config_path('deploy.yaml'), description='node parameters'),
        ExecuteProcess(
            cmd=ppo_node_command('deploy', '--policy', LaunchConfiguration('policy'), '--task', LaunchConfiguration('task'),
                                 '--params-file', LaunchConfiguration('params_file')),
            output='screen'),
    ])
