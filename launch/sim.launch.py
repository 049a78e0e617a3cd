"""ros2 launch ppo_node sim.launch.py [task:=reacher_2dof]

Runs the embedded simulator as a ROS 2 robot (joint states out, commands in), so the whole ROS 2
loop works on a machine without Gazebo.
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
        DeclareLaunchArgument('params_file', default_value=config_path('sim.yaml'), description='node parameters'),
        ExecuteProcess(
            cmd=ppo_node_command('sim', '--task', LaunchConfiguration('task'), '--params-file', LaunchConfiguration('params_file')),
            output='screen'),
    ])
