package pponode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learner must not depend on ROS 2, MQTT, teleop, the CLI or the Gazebo transport: not by an
 * import, and not by a fully-qualified name in the code (which an import check alone misses).
 */
class LayeringTest {
    private static final List<String> LEARNER = List.of("ppo", "modules", "storage", "state", "runner", "env", "log", "config");
    private static final List<String> FORBIDDEN = List.of("pponode.ros", "pponode.teleop", "pponode.cli", "pponode.gazebo", "pponode.sim.gazebo", "pponode.sim.embedded", "us.ihmc",
            "org.eclipse.paho", "pponode.sim.mujoco", "pponode.sim2sim");

    /** Lines that name a forbidden package, outside comments. */
    static List<String> violations(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        List<Pattern> names = FORBIDDEN.stream().map(p -> Pattern.compile("(?<![\\w.])" + Pattern.quote(p) + "\\.")).toList();
        boolean inComment = false;
        int n = 0;
        for (String line : Files.readAllLines(file)) {
            n++;
            String code = line.trim();
            if (inComment) {
                if (!code.contains("*/")) continue;
                code = code.substring(code.indexOf("*/") + 2);
                inComment = false;
            }
            if (code.startsWith("/*")) {
                inComment = !code.contains("*/");
                continue;
            }
            if (code.startsWith("*") || code.startsWith("//")) continue;
            int slashes = code.indexOf("//");
            if (slashes >= 0) code = code.substring(0, slashes);
            for (Pattern p : names) if (p.matcher(code).find()) out.add(file + ":" + n + ": " + line.trim());
        }
        return out;
    }

    @Test
    void learnerPackagesNameNoMiddleware() throws IOException {
        Path root = Path.of("src/main/java/pponode");
        assertTrue(Files.isDirectory(root.resolve("ppo")), "run from the ppo_node module directory");
        List<String> violations = new ArrayList<>();
        for (String pkg : LEARNER) {
            Path dir = root.resolve(pkg);
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) violations.addAll(violations(f));
            }
        }
        assertTrue(violations.isEmpty(), String.join("\n", violations));
    }

    /** The algorithm and the networks read their own part of the settings (AlgorithmConfig, NetworkConfig), never the whole PPOConfig. */
    @Test
    void theAlgorithmAndTheNetworksReadOnlyTheirSettings() throws IOException {
        List<String> readers = new ArrayList<>();
        for (String pkg : List.of("ppo", "modules")) {
            try (Stream<Path> files = Files.walk(Path.of("src/main/java/pponode", pkg))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    if (Files.readAllLines(f).stream().anyMatch(l -> !l.trim().startsWith("*") && !l.trim().startsWith("//") && l.matches(".*\\bPPOConfig\\b.*"))) {
                        readers.add(f.toString());
                    }
                }
            }
        }
        assertEquals(List.of(), readers);
    }

    /**
     * The package map (docs/ARCHITECTURE.md), lowest first: a package imports only packages above
     * it in this list, so the map has no upward import and no circle. A new package goes in its
     * place here and in the map.
     */
    static final List<String> LAYERS = List.of("settings", "sim.urdf", "sim.actuator", "sim", "sim.gazebo.msgs", "sim.gazebo", "sim.embedded", "sim.mujoco",
            "env.terms", "env", "config", "state", "storage", "log", "modules", "modules.host", "ppo", "runner", "actuator", "onnx", "gazebo", "ros", "sim2sim",
            "teleop", "benchmark", "cli");

    /** Each package's imports of other pponode packages (a nested class's import counts as its package's). */
    static Map<String, Set<String>> imports(List<Path> roots) throws IOException {
        Map<String, Set<String>> deps = new HashMap<>();
        Pattern pkg = Pattern.compile("(?m)^package pponode\\.([\\w.]+);"), imp = Pattern.compile("(?m)^import (?:static )?pponode\\.([\\w.]+)\\.[\\w*]+;");
        for (Path root : roots) {
            try (Stream<Path> s = Files.walk(root)) {
                for (Path f : s.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String text = Files.readString(f);
                    Matcher pm = pkg.matcher(text);
                    if (!pm.find()) continue;
                    String from = pm.group(1);
                    Set<String> to = deps.computeIfAbsent(from, k -> new HashSet<>());
                    Matcher im = imp.matcher(text);
                    while (im.find()) {
                        String target = im.group(1);
                        while (Character.isUpperCase(target.substring(target.lastIndexOf('.') + 1).charAt(0))) target = target.substring(0, target.lastIndexOf('.'));
                        if (!target.equals(from)) to.add(target);
                    }
                }
            }
        }
        return deps;
    }

    /** The imports that break the map: into a package later in LAYERS than the importer, or to or from a package the map lacks. */
    static List<String> upwardImports(Map<String, Set<String>> deps) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : deps.entrySet()) {
            int from = LAYERS.indexOf(e.getKey());
            if (from < 0) {
                out.add("package " + e.getKey() + " is not in the package map (LayeringTest.LAYERS, docs/ARCHITECTURE.md)");
                continue;
            }
            for (String to : e.getValue()) {
                int t = LAYERS.indexOf(to);
                if (t < 0 || t >= from) out.add(e.getKey() + " imports " + to + (t < 0 ? ", which the package map lacks" : ", which the map puts above it"));
            }
        }
        out.sort(null);
        return out;
    }

    @Test
    void everyImportGoesDownThePackageMapSoNoPackagesFormACircle() throws IOException {
        Map<String, Set<String>> deps = imports(List.of(Path.of("src/main/java"), Path.of("../sim_bridge/src/main/java")));
        assertTrue(deps.containsKey("cli") && deps.containsKey("sim.embedded"), "both modules' sources read: " + deps.keySet());
        assertEquals(List.of(), upwardImports(deps));
    }

    @Test
    void theMapCheckCatchesAnUpwardImportAndAPackageItLacks() {
        Map<String, Set<String>> deps = new HashMap<>();
        deps.put("env", Set.of("sim", "config")); // config sits above env: the circle env -> config -> env
        deps.put("robots", Set.of("env"));
        assertEquals(List.of("env imports config, which the map puts above it", "package robots is not in the package map (LayeringTest.LAYERS, docs/ARCHITECTURE.md)"),
                upwardImports(deps));
    }

    private static final Pattern QUALIFIED = Pattern.compile("(?<![\\w.\"])((?:java|javax|org|com|ai|us|pponode|io|sun|jdk)\\.(?:[a-z_]\\w*\\.)*)([A-Z]\\w*)");
    private static final Set<String> JAVA_LANG = Set.of("Object", "String", "Boolean", "Byte", "Character", "Short", "Integer", "Long", "Float", "Double", "Math",
            "Thread", "Process", "System", "Runtime", "Exception", "Error", "Throwable", "Iterable", "Comparable", "Class", "Enum", "Record", "Void", "Override");

    /**
     * Code names a class by its simple name and an import, as the style asks; a fully-qualified
     * name is left only where the simple name is taken (another import, a class of the same
     * package or file, java.lang).
     */
    static List<String> qualifiedNames(Path file, Set<String> samePackage) throws IOException {
        String text = Files.readString(file);
        Map<String, String> imports = new HashMap<>();
        Matcher im = Pattern.compile("(?m)^import (?!static)([\\w.]+)\\.(\\w+);").matcher(text);
        while (im.find()) imports.put(im.group(2), im.group(1) + "." + im.group(2));
        Set<String> declared = new HashSet<>();
        Matcher dm = Pattern.compile("\\b(?:class|interface|record|enum)\\s+(\\w+)").matcher(text);
        while (dm.find()) declared.add(dm.group(1));
        Matcher pm = Pattern.compile("(?m)^package ([\\w.]+);").matcher(text);
        String pkg = pm.find() ? pm.group(1) : "";
        List<String> out = new ArrayList<>();
        boolean inComment = false;
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            String t = line.trim();
            if (inComment) {
                inComment = !t.contains("*/");
                continue;
            }
            if (t.startsWith("/*")) {
                inComment = !t.contains("*/");
                continue;
            }
            if (t.startsWith("*") || t.startsWith("//") || t.startsWith("import ") || t.startsWith("package ")) continue;
            String code = line.replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", "\"\"");
            if (code.contains("//")) code = code.substring(0, code.indexOf("//"));
            Matcher m = QUALIFIED.matcher(code);
            while (m.find()) {
                String name = m.group(2), owner = m.group(1).substring(0, m.group(1).length() - 1), full = owner + "." + name;
                boolean taken = (imports.containsKey(name) && !imports.get(name).equals(full)) || (!owner.equals(pkg) && samePackage.contains(name))
                        || (!owner.equals(pkg) && declared.contains(name)) || (JAVA_LANG.contains(name) && !owner.equals("java.lang"));
                if (!taken) out.add(file + ":" + n + ": " + full);
            }
        }
        return out;
    }

    private static String packageDir(Path file) {
        String p = file.getParent().toString().replace('\\', '/');
        int java = p.indexOf("/java/");
        return java < 0 ? p : p.substring(java + 6);
    }

    @Test
    void noFullyQualifiedNamesWhereAnImportDoes() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path root : List.of(Path.of("src"), Path.of("../sim_bridge/src"))) {
            List<Path> files;
            try (Stream<Path> s = Files.walk(root)) {
                files = s.filter(p -> p.toString().endsWith(".java")).toList();
            }
            Map<String, Set<String>> byPackage = new HashMap<>(); // a package spans src/main/java and src/test/java
            for (Path f : files) byPackage.computeIfAbsent(packageDir(f), d -> new HashSet<>()).add(f.getFileName().toString().replace(".java", ""));
            for (Path f : files) found.addAll(qualifiedNames(f, byPackage.get(packageDir(f))));
        }
        assertEquals(List.of(), found);
    }

    @Test
    void theCheckSeesImportsAndFullyQualifiedNamesButNotComments(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("X.java");
        Files.writeString(f, String.join("\n", "import pponode.ros.DeployNode;", "/** uses pponode.ros.Ros2 in a comment */",
                "class X { Object o = new us.ihmc.ros2.ROS2Node(null, null); // pponode.teleop.X", "  String s = \"not.pponode.rosy\"; }", ""));
        List<String> v = violations(f);
        assertEquals(2, v.size(), v.toString());
        assertTrue(v.get(0).contains(":1: ") && v.get(1).contains(":3: "), v.toString());
    }
}
