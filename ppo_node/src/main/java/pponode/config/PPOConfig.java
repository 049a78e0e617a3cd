package pponode.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.Yaml;
import pponode.settings.Settings;
import pponode.settings.Settings.Allowed;
import pponode.settings.StrictYaml;

/**
 * Every hyper-parameter of a run. Keys are the reference PPO's {@code PPOConfig} field names
 * (snake_case) with the same meaning and defaults; the fields after "extensions" are ours.
 * Values come from YAML files and {@code --set key=value}; unknown keys and bad values fail with
 * an error naming the key.
 */
public final class PPOConfig {
    // ── Environment
    public String envId = "CartPole-v1";
    @Allowed(oneOf = {"discrete", "continuous"})
    public String actionSpaceType = "discrete";
    @Allowed(min = 1)
    public int numEnvs = 4;
    public long seed = 42;
    // ── Training schedule
    @Allowed(min = 1)
    public long totalTimesteps = 1_000_000;
    @Allowed(min = 1)
    public int rolloutSteps = 2048;
    @Allowed(min = 1)
    public int nEpochs = 10;
    @Allowed(min = 1)
    public int minibatchSize = 64;
    // ── Discount and GAE
    @Allowed(min = 0, max = 1)
    public double gamma = 0.99;
    @Allowed(min = 0, max = 1)
    public double gaeLambda = 0.95;
    // ── Clipping and losses
    @Allowed(min = 0, aboveMin = true)
    public double clipEpsilon = 0.2;
    @Allowed(oneOf = {"constant", "none", "linear", "cosine", "warmup_cosine"})
    public String clipEpsilonSchedule = "linear";
    @Allowed(min = 0, aboveMin = true)
    public Double valueClipEpsilon = 0.2;
    @Allowed(min = 0)
    public double valueCoef = 0.5;
    @Allowed(min = 0)
    public double entropyCoef = 0.01;
    @Allowed(oneOf = {"constant", "none", "linear", "cosine", "warmup_cosine"})
    public String entropyCoefSchedule = "linear";
    @Allowed(min = 0, aboveMin = true)
    public double maxGradNorm = 0.5;
    @Allowed(min = 0, aboveMin = true)
    public Double targetKl = 0.02;
    // ── Network
    @Allowed(min = 1, max = MAX_LAYER_WIDTH)
    public int[] hiddenSizes = {64, 64};
    @Allowed(oneOf = {"tanh", "relu", "elu", "gelu", "leaky_relu", "silu"})
    public String activation = "tanh";
    public boolean sharedBackbone = false;
    /** The reference's {@code backbone_cls}: mlp, transformer, cnn, or a class implementing Backbone. */
    public String backbone = "mlp";
    // ── Continuous actions
    @Allowed(oneOf = {"gaussian", "beta"})
    public String continuousDist = "gaussian";
    public double logStdInit = -0.5;
    public boolean squashActions = false;
    // ── Optimiser
    @Allowed(min = 0)
    public double lrActor = 3e-4;
    @Allowed(min = 0)
    public double lrCritic = 1e-3;
    @Allowed(oneOf = {"constant", "none", "linear", "cosine", "warmup_cosine"})
    public String lrSchedule = "linear";
    @Allowed(oneOf = {"adam", "adamw", "sgd"})
    public String optimizer = "adam";
    @Allowed(min = 0, aboveMin = true)
    public double adamEps = 1e-5;
    @Allowed(min = 0)
    public double weightDecay = 0.0;
    // ── Normalisation
    public boolean normaliseObs = true;
    public boolean normaliseRewards = true;
    @Allowed(min = 0, aboveMin = true)
    public double rewardClip = 10.0;
    // ── Mixed precision
    public boolean useAmp = false;
    // ── Logging and checkpoints
    public String logDir = "./ppo_logs";
    public String experimentName = "ppo_run";
    @Allowed(min = 1)
    public int logInterval = 1;
    @Allowed(min = 1)
    public int saveInterval = 10;
    public boolean useWandb = false;
    public String wandbProject = "ppo_rl";
    @Allowed(nullable = true)
    public String resumeFrom = null;
    // ── Advanced
    public boolean orthoInit = true;
    public boolean normAdv = true;
    public boolean recurrent = false;
    @Allowed(pattern = "auto|cpu|cuda(:\\d+)?|gpu(:\\d+)?", means = "auto, cpu, cuda or cuda:N")
    public String device = "auto";
    /**
     * Who computes the PPO update: host (plain Java over float arrays, for MLP networks on the CPU),
     * djl (the PyTorch engine, the reference; any network, any device), or auto: host where it
     * covers the network and the device is the CPU, djl otherwise.
     */
    @Allowed(oneOf = {"auto", "host", "djl"})
    public String learnerBackend = "auto";
    /**
     * Threads of the host learner's update, splitting each minibatch's rows: 0 (auto) takes two
     * where the machine has two cores and the minibatch has the rows to pay for them, else one.
     * The sums over rows are added in a fixed order, so a run repeats exactly for a given count;
     * different counts differ in the last bits.
     */
    @Allowed(min = 0, max = 64)
    public int learnerThreads = 0;

    // ── Extensions (not in the reference)
    /** Clip normalised observations to ±obs_clip (SB3 VecNormalize's clip_obs); null disables. */
    @Allowed(min = 0, aboveMin = true)
    public Double obsClip = 10.0;
    /** lstm or gru, used when recurrent is true. */
    @Allowed(oneOf = {"lstm", "gru"})
    public String rnnType = "lstm";
    @Allowed(min = 1, max = MAX_LAYER_WIDTH)
    public int rnnHiddenSize = 64;
    /** Transformer backbone (the reference's constructor defaults). */
    @Allowed(min = 1, max = MAX_LAYER_WIDTH)
    public int transformerDModel = 128;
    @Allowed(min = 1)
    public int transformerHeads = 4;
    @Allowed(min = 1)
    public int transformerLayers = 2;
    @Allowed(min = 1, max = MAX_LAYER_WIDTH)
    public int transformerFfnDim = 256;
    @Allowed(min = 1)
    public int transformerSeqLen = 1;
    /** Nature-CNN backbone: observations are [channels, height, width] images. */
    @Allowed(min = 1, max = MAX_LAYER_WIDTH)
    public int[] cnnChannels = {32, 64, 64};
    @Allowed(min = 1, max = MAX_LAYER_WIDTH)
    public int[] cnnKernels = {8, 4, 3};
    @Allowed(min = 1, max = MAX_LAYER_WIDTH)
    public int[] cnnStrides = {4, 2, 1};
    /** sync (one thread) or threaded (envs stepped on worker threads). */
    @Allowed(oneOf = {"sync", "threaded"})
    public String vecEnv = "sync";
    @Allowed(min = 0)
    public int vecEnvWorkers = 0;
    /**
     * Training goes on while this many environments answer: one whose robot or world stops
     * answering leaves the batch and rejoins when it is back (at most num_envs; num_envs waits for every one).
     */
    @Allowed(min = 1)
    public int minLiveEnvs = 1;
    @Allowed(min = 1)
    public int evalEpisodes = 10;
    // ── Supervised fine-tuning (not in the reference): behaviour cloning of operator interventions.
    /** Weight of −log π(a_operator | s), used only when there are operator demonstrations. */
    @Allowed(min = 0)
    public double bcCoef = 1.0;
    @Allowed(oneOf = {"constant", "none", "linear", "cosine", "warmup_cosine"})
    public String bcCoefSchedule = "linear";
    /** Operator actions at a bound are pulled this fraction of the range inside it (tanh/Beta have no density there). */
    @Allowed(min = 0, aboveMin = true, max = 0.5, belowMax = true)
    public double bcActionEps = 1e-3;

    /**
     * The widest layer a config may ask for: 4096 units (16.8 M weights per square layer, 200 MB
     * with Adam's moments) is far beyond robot policies, and it keeps a typo such as 100000 from
     * ending in an OutOfMemoryError instead of an error naming the key.
     */
    public static final int MAX_LAYER_WIDTH = 4096;

    private static final Settings<PPOConfig> SETTINGS = Settings.of(PPOConfig.class, "config key");

    public static Set<String> keys() {
        return SETTINGS.keys();
    }

    public PPOConfig copy() {
        PPOConfig c = new PPOConfig();
        for (Map.Entry<String, Object> e : toMap().entrySet()) c.set(e.getKey(), e.getValue());
        return c;
    }

    /** Sets one key from a string (as given on the command line) or a YAML value. */
    public PPOConfig set(String key, Object value) {
        return set("", key, value);
    }

    private PPOConfig set(String prefix, String key, Object value) {
        try {
            SETTINGS.set(this, prefix, key, value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        return this;
    }

    /** Applies {@code key=value} strings in order. */
    public PPOConfig apply(List<String> assignments) {
        try {
            SETTINGS.apply(this, assignments, "");
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
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

    /** The settings of the PPO update, for the algorithm (which never sees the rest). */
    public AlgorithmConfig algorithm() {
        return new AlgorithmConfig(numEnvs, rolloutSteps, nEpochs, minibatchSize, numMinibatches(), normAdv, valueCoef, valueClipEpsilon, targetKl, maxGradNorm,
                optimizer, adamEps, weightDecay, learnerBackend, learnerThreads);
    }

    /** The network settings, for the modules (which never see the rest). */
    public NetworkConfig network() {
        return new NetworkConfig(actionSpaceType, continuousDist, squashActions, logStdInit, backbone, hiddenSizes.clone(), activation, sharedBackbone,
                orthoInit, recurrent, rnnType, rnnHiddenSize, transformerSeqLen, transformerDModel, transformerHeads, transformerLayers, transformerFfnDim,
                cnnChannels.clone(), cnnKernels.clone(), cnnStrides.clone());
    }

    public Map<String, Object> toMap() {
        return SETTINGS.toMap(this);
    }

    public String toYaml() {
        return new Yaml().dump(toMap());
    }

    /** Checks every value; the first problem found is reported by key. */
    public PPOConfig validate() {
        try {
            SETTINGS.check(this, "");
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        // what no single key can say
        require(minibatchSize <= (long) rolloutSteps * numEnvs, "minibatch_size",
                "(" + minibatchSize + ") exceeds rollout_steps * num_envs (" + (long) rolloutSteps * numEnvs + ")");
        require(totalTimesteps >= (long) rolloutSteps * numEnvs, "total_timesteps",
                "(" + totalTimesteps + ") is smaller than one rollout (rollout_steps * num_envs = " + (long) rolloutSteps * numEnvs + ")");
        require(minLiveEnvs <= numEnvs, "min_live_envs", "(" + minLiveEnvs + ") exceeds num_envs (" + numEnvs + ")");
        require(hiddenSizes.length >= 1, "hidden_sizes", "needs at least one layer");
        require(!(squashActions && continuousDist.equals("beta")), "squash_actions",
                "applies to the gaussian distribution only; continuous_dist is beta (already bounded)");
        require(!useWandb, "use_wandb", "is not supported by the Java learner (no W&B client for the JVM); use the TensorBoard event files, which W&B can import");
        require(transformerDModel % transformerHeads == 0, "transformer_heads", "must divide transformer_d_model (" + transformerDModel + "), got " + transformerHeads);
        require(cnnChannels.length == cnnKernels.length && cnnKernels.length == cnnStrides.length, "cnn_channels",
                "cnn_channels, cnn_kernels and cnn_strides must have the same length");
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

    /** A configuration problem; the message names the offending key. */
    public static final class ConfigException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public ConfigException(String msg) {
            super(msg);
        }
    }
}
