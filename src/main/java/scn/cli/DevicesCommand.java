package scn.cli;

import java.util.List;
import picocli.CommandLine.Command;
import scn.backend.Kernels;
import scn.backend.Parallel;
import scn.backend.Simd;
import scn.backend.opencl.ClPlatforms;

/** {@code engine devices}: what the engine can compute on. */
@Command(
        name = "devices",
        description =
                "List the compute devices: the CPU backend (cores, SIMD width in use) and every OpenCL device with its limits.")
final class DevicesCommand implements Runnable {
    @Override
    public void run() {
        System.out.println("cpu: " + Runtime.getRuntime().availableProcessors() + " cores available, "
                + Parallel.threads() + " worker threads, SIMD " + Simd.describe());
        System.out.println("  in use: " + Kernels.describe());
        List<ClPlatforms.Info> cl = ClPlatforms.devices();
        if (cl.isEmpty()) System.out.println("opencl: none (" + ClPlatforms.unavailableReason() + ")");
        for (ClPlatforms.Info d : cl) System.out.println(d.describe());
    }
}
