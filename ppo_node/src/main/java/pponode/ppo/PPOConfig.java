package pponode.ppo;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.Yaml;
import pponode.config.StrictYaml;
import pponode.modules.NetworkConfig;

/**
 * Every hyper-parameter of a run. Keys are the reference PPO's {@code PPOConfig} field names
 * (snake_case) with the same meaning and defaults; the fields after "extensions" are ours.
 * Values come from YAML files and {@code --set key=value}; unknown keys and bad values fail with
 * an error naming the key.
 */
public final class PPOConfig {
    // ── Environment
    public String envId = "CartPole-v1";
    public String actionSpaceType = "discrete";
    public int numEnvs = 4;
    public long seed = 42;
    // ── Training schedule
    public long totalTimesteps = 1_000_000;
    public int rolloutSteps = 2048;
    public int nEpochs = 10;
    public int minibatchSize = 64;
    // ── Discount and GAE
    public double gamma = 0.99;
    public double gaeLambda = 0.95;
    // ── Clipping and losses
    public double clipEpsilon = 0.2;
    public String clipEpsilonSchedule = "linear";
    public Double valueClipEpsilon = 0.2;
    public double valueCoef = 0.5;
    public double entropyCoef = 0.01;
    public String entropyCoefSchedule = "linear";
    public double maxGradNorm = 0.5;
    public Double targetKl = 0.02;
    // ── Network
    public int[] hiddenSizes = {64, 64};
    public String activation = "tanh";
    public boolean sharedBackbone = false;
    /** The reference's {@code backbone_cls}: mlp, transformer, cnn, or a class implementing Backbone. */
    public String backbone = "mlp";
    // ── Continuous actions
    public String continuousDist = "gaussian";
    public double logStdInit = -0.5;
    public boolean squashActions = false;
    // ── Optimiser
    public double lrActor = 3e-4;
    public double lrCritic = 1e-3;
    public String lrSchedule = "linear";
    public String optimizer = "adam";
    public double adamEps = 1e-5;
    public double weightDecay = 0.0;
    // ── Normalisation
    public boolean normaliseObs = true;
    public boolean normaliseRewards = true;
    public double rewardClip = 10.0;
    // ── Mixed precision
    public boolean useAmp = false;
    // ── Logging and checkpoints
    public String logDir = "./ppo_logs";
    public String experimentName = "ppo_run";
    public int logInterval = 1;
    public int saveInterval = 10;
    public boolean useWandb = false;
    public String wandbProject = "ppo_rl";
    public String resumeFrom = null;
    // ── Advanced
    public boolean orthoInit = true;
    public boolean normAdv = true;
    public boolean recurrent = false;
    public String device = "auto";

    // ── Extensions (not in the reference)
    /** Clip normalised observations to ±obs_clip (SB3 VecNormalize's clip_obs); null disables. */
    public Double obsClip = 10.0;
    /** lstm or gru, used when recurrent is true. */
    public String rnnType = "lstm";
    public int rnnHiddenSize = 64;
    /** Transformer backbone (the reference's constructor defaults). */
    public int transformerDModel = 128;
    public int transformerHeads = 4;
    public int transformerLayers = 2;
    public int transformerFfnDim = 256;
    public int transformerSeqLen = 1;
    /** Nature-CNN backbone: observations are [channels, height, width] images. */
    public int[] cnnChannels = {32, 64, 64};
    public int[] cnnKernels = {8, 4, 3};
    public int[] cnnStrides = {4, 2, 1};
    /** sync (one thread) or threaded (envs stepped on worker threads). */
    public String vecEnv = "sync";
    public int vecEnvWorkers = 0;
    public int evalEpisodes = 10;
    // ── Supervised fine-tuning (not in the reference): behaviour cloning of operator interventions.
    /** Weight of −log π(a_operator | s), used only when there are operator demonstrations. */
    public double bcCoef = 1.0;
    public String bcCoefSchedule = "linear";
    /** Operator actions at a bound are pulled this fraction of the range inside it (tanh/Beta have no density there). */
    public double bcActionEps = 1e-3;

    /**
     * The widest layer a config may ask for: 4096 units (16.8 M weights per square layer, 200 MB
     * with Adam's moments) is far beyond robot policies, and it keeps a typo such as 100000 from
     * ending in an OutOfMemoryError instead of an error naming the key.
     */
    public static final int MAX_LAYER_WIDTH = 4096;
    public static final Set<String> SCHEDULES = Set.of("constant", "none", "linear", "cosine", "warmup_cosine");
    public static final Set<String> ACTIVATIONS = Set.of("tanh", "relu", "elu", "gelu", "leaky_relu", "silu");
    public static final Set<String> OPTIMIZERS = Set.of("adam", "adamw", "sgd");

    private static final Map<String, Field> FIELDS = new LinkedHashMap<>();

    static {
        for (Field f : PPOConfig.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) continue;
            FIELDS.put(snake(f.getName()), f);
        }
    }

    static String snake(String camel) {
        StringBuilder b = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) b.append('_').append(Character.toLowerCase(c));
            else b.append(c);
        }
        return b.toString();
    }

    public static Set<String> keys() {
        return FIELDS.keySet();
    }

    public PPOConfig copy() {
        PPOConfig c = new PPOConfig();
        for (Map.Entry<String, Object> e : toMap().entrySet()) c.set(e.getKey(), e.getValue());
        return c;
    }

    /** Sets one key from a string (as given on the command line) or a YAML value. */
    public PPOConfig set(String key, Object value) {
        Field f = FIELDS.get(key);
        if (f == null) {
            throw new ConfigException("unknown config key '" + key + "'" + suggestion(key));
        }
        try {
            f.set(this, convert(key, f.getType(), value));
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    /** Applies {@code key=value} strings in order. */
    public PPOConfig apply(List<String> assignments) {
        for (String a : assignments) {
            int eq = a.indexOf('=');
            if (eq <= 0) throw new ConfigException("expected key=value, got '" + a + "'");
            set(a.substring(0, eq).trim(), a.substring(eq + 1).trim());
        }
        return this;
    }

    /** Applies a YAML mapping of keys to values on top of this config. */
    public PPOConfig applyYaml(Reader in, String source) {
        Object doc;
        try {
            doc = StrictYaml.load(in, source);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        if (!(doc instanceof Map<?, ?> m)) {
            throw new ConfigException(source + ": expected a mapping of config keys, got " + doc.getClass().getSimpleName());
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            try {
                set(String.valueOf(e.getKey()), e.getValue());
            } catch (ConfigException ce) {
                throw new ConfigException(source + ": " + ce.getMessage());
            }
        }
        return this;
    }

    public PPOConfig applyYaml(Path file) {
        try (Reader r = Files.newBufferedReader(file)) {
            return applyYaml(r, file.toString());
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file not found: " + file);
        } catch (CharacterCodingException e) {
            throw new ConfigException("config file " + file + " is not UTF-8 text (a binary file?)");
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
    }

    /** The network settings, for the modules (which never see the rest). */
    public NetworkConfig network() {
        return new NetworkConfig(actionSpaceType, continuousDist, squashActions, logStdInit, backbone, hiddenSizes.clone(), activation, sharedBackbone,
                orthoInit, recurrent, rnnType, rnnHiddenSize, transformerSeqLen, transformerDModel, transformerHeads, transformerLayers, transformerFfnDim,
                cnnChannels.clone(), cnnKernels.clone(), cnnStrides.clone());
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<String, Field> e : FIELDS.entrySet()) {
            try {
                Object v = e.getValue().get(this);
                if (v instanceof int[] a) {
                    List<Integer> l = new ArrayList<>();
                    for (int x : a) l.add(x);
                    v = l;
                }
                m.put(e.getKey(), v);
            } catch (IllegalAccessException ex) {
                throw new IllegalStateException(ex);
            }
        }
        return m;
    }

    public String toYaml() {
        return new Yaml().dump(toMap());
    }

    private static Object convert(String key, Class<?> type, Object v) {
        String s = v == null ? null : String.valueOf(v).trim();
        boolean isNull = v == null || s.equalsIgnoreCase("null") || s.equalsIgnoreCase("none") || s.equals("~");
        try {
            if (type == String.class) {
                return isNull ? null : s;
            }
            if (type == Double.class) {
                if (isNull) return null;
                return finite(key, Double.parseDouble(s));
            }
            if (isNull) throw new ConfigException("'" + key + "' cannot be null");
            if (type == double.class) return finite(key, Double.parseDouble(s));
            if (type == int.class) return (int) integral(key, s, Integer.MIN_VALUE, Integer.MAX_VALUE);
            if (type == long.class) return integral(key, s, Long.MIN_VALUE, Long.MAX_VALUE);
            if (type == boolean.class) {
                if (s.equalsIgnoreCase("true")) return true;
                if (s.equalsIgnoreCase("false")) return false;
                throw new ConfigException("'" + key + "' must be true or false, got '" + s + "'");
            }
            if (type == int[].class) {
                List<?> items = v instanceof List<?> l ? l : Arrays.asList(s.replaceAll("[\\[\\]()\\s]", "").split(","));
                int[] out = new int[items.size()];
                for (int i = 0; i < out.length; i++) {
                    String item = String.valueOf(items.get(i));
                    if (item.isEmpty()) throw new ConfigException("'" + key + "' has an empty element: '" + s + "'");
                    out[i] = (int) integral(key, item, Integer.MIN_VALUE, Integer.MAX_VALUE);
                }
                return out;
            }
        } catch (NumberFormatException e) {
            throw new ConfigException("'" + key + "' expects a number, got '" + s + "'");
        }
        throw new IllegalStateException("unsupported config field type " + type);
    }

    private static double finite(String key, double d) {
        if (!Double.isFinite(d)) throw new ConfigException("'" + key + "' must be finite, got " + d);
        return d;
    }

    private static long integral(String key, String s, long min, long max) {
        double d = Double.parseDouble(s); // accepts 1e6 as well as 1000000
        if (d != Math.rint(d) || d < min || d > max) {
            throw new ConfigException("'" + key + "' expects an integer, got '" + s + "'");
        }
        return (long) d;
    }

    private static String suggestion(String key) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String k : FIELDS.keySet()) {
            int d = levenshtein(k, key);
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return bestD <= 3 ? " (did you mean '" + best + "'?)" : "";
    }

    private static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Checks every value; the first problem found is reported by key. */
    public PPOConfig validate() {
        require(numEnvs >= 1, "num_envs", "must be >= 1, got " + numEnvs);
        require(totalTimesteps >= 1, "total_timesteps", "must be >= 1, got " + totalTimesteps);
        require(rolloutSteps >= 1, "rollout_steps", "must be >= 1, got " + rolloutSteps);
        require(nEpochs >= 1, "n_epochs", "must be >= 1, got " + nEpochs);
        require(minibatchSize >= 1, "minibatch_size", "must be >= 1, got " + minibatchSize);
        require(minibatchSize <= (long) rolloutSteps * numEnvs, "minibatch_size",
                "(" + minibatchSize + ") exceeds rollout_steps * num_envs (" + (long) rolloutSteps * numEnvs + ")");
        require(totalTimesteps >= (long) rolloutSteps * numEnvs, "total_timesteps",
                "(" + totalTimesteps + ") is smaller than one rollout (rollout_steps * num_envs = " + (long) rolloutSteps * numEnvs + ")");
        require(gamma >= 0 && gamma <= 1, "gamma", "must be in [0, 1], got " + gamma);
        require(gaeLambda >= 0 && gaeLambda <= 1, "gae_lambda", "must be in [0, 1], got " + gaeLambda);
        require(clipEpsilon > 0, "clip_epsilon", "must be > 0, got " + clipEpsilon);
        require(valueClipEpsilon == null || valueClipEpsilon > 0, "value_clip_epsilon", "must be > 0 or null, got " + valueClipEpsilon);
        require(valueCoef >= 0, "value_coef", "must be >= 0, got " + valueCoef);
        require(entropyCoef >= 0, "entropy_coef", "must be >= 0, got " + entropyCoef);
        require(maxGradNorm > 0, "max_grad_norm", "must be > 0, got " + maxGradNorm);
        require(targetKl == null || targetKl > 0, "target_kl", "must be > 0 or null, got " + targetKl);
        oneOf("clip_epsilon_schedule", clipEpsilonSchedule, SCHEDULES);
        oneOf("entropy_coef_schedule", entropyCoefSchedule, SCHEDULES);
        oneOf("lr_schedule", lrSchedule, SCHEDULES);
        oneOf("bc_coef_schedule", bcCoefSchedule, SCHEDULES);
        require(bcCoef >= 0, "bc_coef", "must be >= 0, got " + bcCoef);
        require(bcActionEps > 0 && bcActionEps < 0.5, "bc_action_eps", "must be in (0, 0.5), got " + bcActionEps);
        oneOf("action_space_type", actionSpaceType, Set.of("discrete", "continuous"));
        oneOf("activation", activation, ACTIVATIONS);
        oneOf("continuous_dist", continuousDist, Set.of("gaussian", "beta"));
        oneOf("optimizer", optimizer.toLowerCase(Locale.ROOT), OPTIMIZERS);
        oneOf("rnn_type", rnnType, Set.of("lstm", "gru"));
        oneOf("vec_env", vecEnv, Set.of("sync", "threaded"));
        require(hiddenSizes.length >= 1, "hidden_sizes", "needs at least one layer");
        for (int h : hiddenSizes) {
            require(h >= 1 && h <= MAX_LAYER_WIDTH, "hidden_sizes", "layers must have 1 to " + MAX_LAYER_WIDTH + " units, got " + h);
        }
        for (int[] a : new int[][] {cnnChannels, cnnKernels, cnnStrides}) {
            for (int v : a) require(v >= 1 && v <= MAX_LAYER_WIDTH, "cnn_channels", "cnn_channels, cnn_kernels and cnn_strides must be 1 to " + MAX_LAYER_WIDTH + ", got " + v);
        }
        require(rnnHiddenSize <= MAX_LAYER_WIDTH && transformerDModel <= MAX_LAYER_WIDTH && transformerFfnDim <= MAX_LAYER_WIDTH, "rnn_hidden_size",
                "rnn_hidden_size, transformer_d_model and transformer_ffn_dim must be at most " + MAX_LAYER_WIDTH);
        require(!(squashActions && continuousDist.equals("beta")), "squash_actions",
                "applies to the gaussian distribution only; continuous_dist is beta (already bounded)");
        require(lrActor >= 0, "lr_actor", "must be >= 0, got " + lrActor);
        require(lrCritic >= 0, "lr_critic", "must be >= 0, got " + lrCritic);
        require(adamEps > 0, "adam_eps", "must be > 0, got " + adamEps);
        require(weightDecay >= 0, "weight_decay", "must be >= 0, got " + weightDecay);
        require(rewardClip > 0, "reward_clip", "must be > 0, got " + rewardClip);
        require(obsClip == null || obsClip > 0, "obs_clip", "must be > 0 or null, got " + obsClip);
        require(logInterval >= 1, "log_interval", "must be >= 1, got " + logInterval);
        require(saveInterval >= 1, "save_interval", "must be >= 1, got " + saveInterval);
        require(!useWandb, "use_wandb", "is not supported by the Java learner (no W&B client for the JVM); use the TensorBoard event files, which W&B can import");
        require(device.matches("auto|cpu|cuda(:\\d+)?|gpu(:\\d+)?"), "device", "must be auto, cpu, cuda or cuda:N, got '" + device + "'");
        require(rnnHiddenSize >= 1, "rnn_hidden_size", "must be >= 1");
        require(transformerDModel >= 1 && transformerHeads >= 1 && transformerDModel % transformerHeads == 0, "transformer_heads",
                "must divide transformer_d_model (" + transformerDModel + "), got " + transformerHeads);
        require(transformerLayers >= 1, "transformer_layers", "must be >= 1");
        require(transformerSeqLen >= 1, "transformer_seq_len", "must be >= 1");
        require(cnnChannels.length == cnnKernels.length && cnnKernels.length == cnnStrides.length, "cnn_channels",
                "cnn_channels, cnn_kernels and cnn_strides must have the same length");
        require(evalEpisodes >= 1, "eval_episodes", "must be >= 1");
        require(vecEnvWorkers >= 0, "vec_env_workers", "must be >= 0 (0 = one per core)");
        if (recurrent) {
            require(((long) rolloutSteps * numEnvs) % minibatchSize == 0 && numEnvs % numMinibatches() == 0, "minibatch_size",
                    "recurrent policies split minibatches by environment, so minibatch_size must be rollout_steps times a divisor of num_envs ("
                            + numEnvs + "); got " + minibatchSize + " (" + numMinibatches() + " minibatches)");
            require(backbone.equals("mlp"), "backbone", "recurrent policies use the mlp encoder followed by the RNN, got '" + backbone + "'");
        }
        return this;
    }

    /** Minibatches per epoch; the last one may be smaller, as in the reference. */
    public int numMinibatches() {
        long n = (long) rolloutSteps * numEnvs;
        return (int) ((n + minibatchSize - 1) / minibatchSize);
    }

    private static void require(boolean ok, String key, String msg) {
        if (!ok) throw new ConfigException("'" + key + "' " + msg);
    }

    private static void oneOf(String key, String v, Set<String> allowed) {
        if (v == null || !allowed.contains(v)) {
            throw new ConfigException("'" + key + "' must be one of " + new TreeSet<>(allowed) + ", got '" + v + "'");
        }
    }

    /** A configuration problem; the message names the offending key. */
    public static final class ConfigException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public ConfigException(String msg) {
            super(msg);
        }
    }
}
