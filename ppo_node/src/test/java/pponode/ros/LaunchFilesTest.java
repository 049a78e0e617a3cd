package pponode.ros;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import picocli.CommandLine;
import pponode.Peers;
import pponode.cli.Main;
import pponode.config.PPOConfig;
import pponode.teleop.TeleopConfig;

/**
 * ROS 2 is not installable here, so test what can be: the launch files are valid Python, every
 * subcommand, option and file they name exists, the parameter files load, and package.xml
 * follows REP 149 (format 3).
 */
class LaunchFilesTest {
    static final Path LAUNCH = Path.of("../launch");
    static final Pattern CMD = Pattern.compile("ppo_node_command\\('(\\w+)'(.*?)\\),\\s*\\n\\s*output", Pattern.DOTALL);
    static final Pattern OPT = Pattern.compile("'(--[a-z-]+)'");
    static final Pattern CFG = Pattern.compile("config_path\\('([\\w.]+)'\\)");

    @Test
    void launchFilesAreValidPython() throws Exception {
        Path python = Peers.onPath("python3");
        Peers.require(python != null, "python3", "apt-get install python3");
        for (Path f : launchFiles()) {
            Process p = new ProcessBuilder(python.toString(), "-c", "import ast,sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])", f.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), f + ": " + out);
        }
    }

    @Test
    void launchFilesNameRealCommandsOptionsAndFiles() throws IOException {
        CommandLine cli = Main.commandLine();
        List<Path> files = launchFiles();
        assertEquals(List.of("deploy.launch.py", "finetune.launch.py", "sim.launch.py", "train.launch.py"), files.stream().map(p -> p.getFileName().toString()).sorted().toList());
        for (Path f : files) {
            String src = Files.readString(f);
            Matcher m = CMD.matcher(src);
            assertTrue(m.find(), f + " runs no ppo-node command");
            CommandLine sub = cli.getSubcommands().get(m.group(1));
            assertNotNull(sub, f + ": no subcommand '" + m.group(1) + "'");
            Matcher o = OPT.matcher(m.group(2));
            while (o.find()) assertNotNull(sub.getCommandSpec().findOption(o.group(1)), f + ": '" + m.group(1) + "' has no option " + o.group(1));
            Matcher c = CFG.matcher(src);
            while (c.find()) assertTrue(Files.exists(LAUNCH.resolve("config").resolve(c.group(1))), f + ": config " + c.group(1) + " does not exist");
        }
        new RosParams().load(LAUNCH.resolve("config/deploy.yaml"), "ppo_node");
        new RosParams().load(LAUNCH.resolve("config/sim.yaml"), "ppo_node_sim");
        new PPOConfig().applyYaml(LAUNCH.resolve("config/train.yaml")).validate();
        TeleopConfig.load(LAUNCH.resolve("config/finetune.yaml"));
    }

    @Test
    void packageXmlFollowsRep149() throws Exception {
        Path pkg = Path.of("../ros2_ws/src/ppo_node/package.xml");
        Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pkg.toFile()).getDocumentElement();
        assertEquals("package", root.getTagName());
        assertEquals("3", root.getAttribute("format"));
        List<String> order = new ArrayList<>();
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) if (n instanceof Element e) order.add(e.getTagName());
        // REP 149: name, version, description, then maintainer(s) and license(s), and exactly one of the first three
        assertEquals(List.of("name", "version", "description"), order.subList(0, 3));
        assertTrue(order.contains("maintainer") && order.contains("license") && order.contains("export"), order.toString());
        assertEquals(1, order.stream().filter("name"::equals).count());
        assertEquals("ppo_node", text(root, "name"));
        assertTrue(text(root, "version").matches("\\d+\\.\\d+\\.\\d+"), "version must be X.Y.Z");
        Element maint = (Element) root.getElementsByTagName("maintainer").item(0);
        assertTrue(maint.getAttribute("email").contains("@"), "maintainer needs an email");
        assertEquals("ament_cmake", text(root, "buildtool_depend"));
        assertEquals("ament_cmake", ((Element) root.getElementsByTagName("export").item(0)).getElementsByTagName("build_type").item(0).getTextContent());
        String cmake = Files.readString(Path.of("../ros2_ws/src/ppo_node/CMakeLists.txt"));
        assertTrue(cmake.contains("project(ppo_node") && cmake.contains("ament_package()"));
        for (String dir : List.of("launch", "launch/config", "urdf")) assertTrue(Files.isDirectory(Path.of("..", dir)), dir);
    }

    private static String text(Element root, String tag) {
        return root.getElementsByTagName(tag).item(0).getTextContent().trim();
    }

    private static List<Path> launchFiles() throws IOException {
        try (var s = Files.list(LAUNCH)) {
            return s.filter(p -> p.toString().endsWith(".launch.py")).sorted().toList();
        }
    }
}
