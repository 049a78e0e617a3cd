package pponode.env;

import org.apache.commons.rng.RestorableUniformRandomProvider;
import org.apache.commons.rng.core.RandomProviderDefaultState;
import org.apache.commons.rng.simple.RandomSource;

/**
 * The random stream of one environment. Its state can be saved and restored, which is what
 * makes a resumed run identical to an uninterrupted one.
 */
public final class EnvRng {
    private RestorableUniformRandomProvider rng;

    public EnvRng(long seed) {
        seed(seed);
    }

    public void seed(long seed) {
        rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
    }

    /** Uniform in [lo, hi). */
    public double uniform(double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }

    /** A standard normal draw (Box-Muller from two uniforms of this stream, so a seed repeats it). */
    public double gaussian() {
        double u = 1 - rng.nextDouble(), v = rng.nextDouble(); // u in (0, 1]
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    public byte[] saveState() {
        return ((RandomProviderDefaultState) rng.saveState()).getState();
    }

    public void restoreState(byte[] state) {
        rng.restoreState(new RandomProviderDefaultState(state));
    }
}
