package pponode.settings;

import java.io.Reader;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * The one way configuration YAML is read (learner settings, task files, node parameters, teleop):
 * a key given twice is an error rather than "the last one wins", only {@code true} and
 * {@code false} are booleans (YAML 1.1 also reads yes/no/on/off, so {@code yes} turned a switch
 * off where a string was expected), and an empty document is an error naming the source.
 */
public final class StrictYaml {
    private StrictYaml() {}

    /** YAML 1.2's booleans; everything else the standard resolver recognises stays as it is. */
    private static final class Yaml12Booleans extends Resolver {
        private static final Pattern BOOLEAN = Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$");

        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.BOOL, BOOLEAN, "tTfF");
            addImplicitResolver(Tag.INT, INT, "-+0123456789");
            addImplicitResolver(Tag.FLOAT, FLOAT, "-+0123456789.");
            addImplicitResolver(Tag.MERGE, MERGE, "<");
            addImplicitResolver(Tag.NULL, NULL, "~nN\0");
            addImplicitResolver(Tag.NULL, EMPTY, null);
            addImplicitResolver(Tag.TIMESTAMP, TIMESTAMP, "0123456789");
        }
    }

    /** The document in {@code in}; an error naming {@code source} when it is not YAML, has a duplicate key, or is empty. */
    public static Object load(Reader in, String source) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Object doc;
        try {
            doc = new Yaml(new SafeConstructor(options), new Representer(new DumperOptions()), new DumperOptions(), options, new Yaml12Booleans()).load(in);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(source + ": not valid YAML: " + e.getMessage().replace('\n', ' '));
        }
        if (doc == null) throw new IllegalArgumentException(source + " is empty");
        return doc;
    }
}
