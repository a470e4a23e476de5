package scn.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import scn.backend.DeviceMemoryException;
import scn.backend.opencl.ClLoader;

/**
 * The {@code engine.jar} entry point.
 *
 * <p>The fast CPU paths use the Vector API, an incubator module in Java 25 that a plain
 * {@code java -jar} does not resolve, and a jar manifest cannot add modules. So when the module is
 * missing, {@link #main} starts the same jar once more in a child JVM with
 * {@code --add-modules jdk.incubator.vector} and passes standard streams and the exit code through.
 * That costs one extra JVM start (measured in the README), and users need no flags. Set
 * {@code SCN_NO_RELAUNCH=1} to stop it (the engine then refuses to start, naming the flag). The child is also
 * where a machine with only {@code libOpenCL.so.1} gets the name JOCL loads ({@link ClLoader}).
 */
@Command(
        name = "engine",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = "Spiking CenterNet: train and run a fully spiking object detector on event-camera data.",
        subcommands = {
            VersionCommand.class,
            DevicesCommand.class,
            SummaryCommand.class,
            BenchCommand.class,
            DumpStepCommand.class,
            CheckPathsCommand.class,
            SynthCommand.class,
            EncodeCommand.class,
            InspectCommand.class,
            ConvertCommand.class,
            RenderCommand.class,
            CheckKernelsCommand.class,
            TrainCommand.class,
            DetectCommand.class,
            EvaluateCommand.class,
            EvalCommand.class,
            EnergyCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {
    static final String VECTOR_MODULE = "jdk.incubator.vector";

    public static void main(String[] args) throws Exception {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            System.exit(relaunchWithVectorModule(args));
        }
        System.exit(run(args));
    }

    /** Runs the command line in this JVM and returns the exit code (tests call this). */
    public static int run(String... args) {
        return new CommandLine(new Main())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(Main::reportInputError)
                .execute(args);
    }

    /**
     * Bad input files and a batch the device cannot hold are the user's to fix: print the message (it names the file
     * and place, or the batch and what it needs), no stack trace. Exit code 1 for a file, 2 for the device, as for a
     * device that cannot run the model. The Spark module's commands report the same way.
     */
    public static int reportInputError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) throws Exception {
        Throwable cause = e instanceof java.io.UncheckedIOException u ? u.getCause() : e;
        if (cause instanceof DeviceMemoryException) {
            cmd.getErr().println(cmd.getCommandName() + ": " + cause.getMessage());
            return 2;
        }
        if (!(cause instanceof java.io.IOException)) throw e;
        String message = cause instanceof java.nio.file.NoSuchFileException missing
                ? missing.getFile() + ": no such file"
                : cause.getMessage();
        cmd.getErr().println(cmd.getCommandName() + ": " + message);
        return 1;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    private static int relaunchWithVectorModule(String[] args) throws Exception {
        if (System.getenv("SCN_NO_RELAUNCH") != null) {
            System.err.println("engine: the Vector API module is missing; run with java --add-modules " + VECTOR_MODULE
                    + " -jar engine.jar");
            return 2;
        }
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        String jar =
                Main.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin);
        cmd.add("--add-modules=" + VECTOR_MODULE);
        cmd.add("--enable-native-access=ALL-UNNAMED");
        // Keep the parent's heap, VM and system-property settings (e.g. -Xmx, -XX:..., -Dscn.threads).
        List<String> inherited = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-X") || a.startsWith("-D"))
                .toList();
        // Training steps recycle their arrays (Arena), so the collector has little to do: the serial one
        // does it at the same speed and keeps the heap compact (docs/EXPERIMENTS.md, "Relaunch and
        // collector"). A collector the user names wins.
        if (inherited.stream().noneMatch(a -> a.matches("-XX:\\+Use\\w*GC"))) cmd.add("-XX:+UseSerialGC");
        cmd.addAll(inherited);
        cmd.add("-cp");
        cmd.add(jar);
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(cmd).inheritIO();
        Path linkDir = ClLoader.linkForChild(builder.environment());
        Process child = builder.start();
        // Runs on the way out however the parent ends, normally or by Ctrl-C.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (child.isAlive()) child.destroy(); // forward Ctrl-C: the child saves its state on SIGTERM
            try {
                child.waitFor();
                if (linkDir != null) ClLoader.removeLinkDir(linkDir);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            } catch (java.io.IOException e) {
                // A link left in a temporary folder harms nothing; the child's exit code is what matters.
            }
        }));
        return child.waitFor();
    }
}
