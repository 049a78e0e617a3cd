"""ros2 launch ppo_node train.launch.py [task:=reacher_2dof] [steps:=300000] [config:=train.yaml]

Trains a policy with PPO on the embedded simulator and exports policy.onnx.
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
        DeclareLaunchArgument('task', default_value='reacher_2dof', description='task name or task YAML path'),
        DeclareLaunchArgument('steps', default_value='300000', description='total environment steps'),
        DeclareLaunchArgument('config', default_value=config_path('train.yaml'), description='PPO config YAML'),
        ExecuteProcess(
            cmd=ppo_node_command('train', '--task', LaunchConfiguration('task'), '--config', LaunchConfiguration('config'),
                                 '--steps', LaunchConfiguration('steps'), '--no-progress'),
            output='screen'),
    ])
