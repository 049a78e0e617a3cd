package pponode.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import pponode.env.terms.TermsReference;

@Command(name = "terms", mixinStandardHelpOptions = true,
        description = "Print the reference of every task term (observation, reward, termination) with its parameters, as docs/TERMS.md holds it.")
final class TermsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.print(TermsReference.markdown());
        return 0;
    }
}
