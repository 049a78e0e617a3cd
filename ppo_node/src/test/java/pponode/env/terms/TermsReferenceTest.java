package pponode.env.terms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/TERMS.md is what the registries say: a new term, description or parameter shows up as a difference here. */
class TermsReferenceTest {
    @Test
    void theTermsPageIsTheRegistriesOwnReference() throws IOException {
        String generated = TermsReference.markdown();
        for (String name : ObservationTerms.names()) {
            if (ObservationTerms.description(name) != null) assertTrue(generated.contains("| `" + name + "` |"), name);
        }
        assertTrue(generated.contains("| `feet_air_time` |") && generated.contains("`threshold` (default 0.5)"), "parameters and defaults, read from the term");
        assertEquals(generated, Files.readString(Path.of("../docs/TERMS.md")), "docs/TERMS.md is stale: ./ppo-node terms > docs/TERMS.md");
    }
}
