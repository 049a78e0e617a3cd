"""Helpers shared by the ppo_node launch files: where the jar is and how to run it."""
import os

from ament_index_python.packages import get_package_share_directory


def ppo_node_command(subcommand, *args):
    """The command line that runs ppo-node's `subcommand` from the installed package."""
    share = get_package_share_directory('ppo_node')
    jar = os.path.join(share, 'java', 'ppo-node.jar')
    java = os.environ.get('JAVA_HOME')
    java = os.path.join(java, 'bin', 'java') if java else 'java'
    return [java, '--add-modules', 'jdk.incubator.vector', '-Xss4m', '-Dai.djl.offline=true', '-Djava.awt.headless=true', '-jar', jar, subcommand, *args]


def config_path(name):
    return os.path.join(get_package_share_directory('ppo_node'), 'config', name)
