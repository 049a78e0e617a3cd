"""ros2 launch ppo_node train.launch.py [task:=reacher_2dof] [steps:=300000] [config:=train.yaml]
                                        [sim:=embedded|gazebo] [gazebo_world:=<task>] [gazebo_model:=<URDF robot>]

Trains a policy with PPO and exports policy.onnx: on the embedded simulator (default) or in a
running Gazebo world stepped in lockstep over Gazebo Transport (sim:=gazebo; the world's partition
and IP come from IGN_PARTITION/GZ_PARTITION and IGN_IP/GZ_IP, see docs/GAZEBO.md).
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
        DeclareLaunchArgument('sim', default_value='embedded', description='embedded or gazebo'),
        DeclareLaunchArgument('gazebo_world', default_value='none', description='Gazebo world name (sim:=gazebo; none: the task name, as gazebo-world names it)'),
        DeclareLaunchArgument('gazebo_model', default_value='none', description='Gazebo model name (sim:=gazebo; none: the URDF robot name)'),
        ExecuteProcess(
            cmd=ppo_node_command('train', '--task', LaunchConfiguration('task'), '--config', LaunchConfiguration('config'),
                                 '--steps', LaunchConfiguration('steps'), '--sim', LaunchConfiguration('sim'),
                                 '--gazebo', ['world=', LaunchConfiguration('gazebo_world')],
                                 '--gazebo', ['model=', LaunchConfiguration('gazebo_model')], '--no-progress'),
            output='screen'),
    ])
