package scn.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import scn.dist.EngineVersion;

/** {@code engine version}: the engine's version and the Java runtime it runs on. */
@Command(name = "version", description = "Print the engine version and the Java runtime.")
final class VersionCommand implements Runnable {
    @Override
    public void run() {
        for (String line : new Provider().getVersion()) System.out.println(line);
    }

    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "Spiking CenterNet engine " + EngineVersion.version(),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")",
            };
        }
    }
}
