package scn.cli;

import picocli.CommandLine.Command;
import scn.backend.Kernels;
import scn.backend.Parallel;
import scn.backend.Simd;

/** {@code engine devices}: what the engine can compute on. */
@Command(name = "devices", description = "List the compute devices: the CPU backend (cores, SIMD width in use).")
final class DevicesCommand implements Runnable {
    @Override
    public void run() {
        System.out.println("cpu: " + Runtime.getRuntime().availableProcessors() + " cores available, "
                + Parallel.threads() + " worker threads, SIMD " + Simd.describe());
        System.out.println("  in use: " + Kernels.describe());
    }
}
