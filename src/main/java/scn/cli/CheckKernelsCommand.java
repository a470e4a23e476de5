package scn.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import scn.backend.Device;
import scn.backend.opencl.ClDevice;
import scn.backend.opencl.Devices;
import scn.check.kernels.ClChecks;

/** {@code engine check-kernels}: every device kernel against its CPU reference; exit code 1 on any mismatch. */
@Command(
        name = "check-kernels",
        description =
                "Check every OpenCL kernel against its CPU reference on small odd shapes: "
                        + "max abs error, tolerance and device time per check, then device time per kernel. Exits 1 on any mismatch.")
final class CheckKernelsCommand implements Callable<Integer> {
    @Option(
            names = "--device",
            defaultValue = "opencl:0",
            description = "The device: opencl or opencl:N (default ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() {
        Device d;
        try {
            d = Devices.open(device);
        } catch (RuntimeException e) {
            System.err.println("check-kernels: " + e.getMessage());
            return 2;
        }
        try (d) {
            if (!(d instanceof ClDevice cl)) {
                System.err.println("check-kernels: " + device + " has no kernel checks");
                return 2;
            }
            long t0 = System.nanoTime();
            ClChecks.Report r = ClChecks.run(cl);
            double wall = (System.nanoTime() - t0) / 1e9;
            System.out.printf("%-84s %10s  %-22s %10s%n", "check", "max|err|", "tolerance", "device ms");
            int failed = 0;
            for (ClChecks.Result x : r.results()) {
                System.out.printf(
                        "%-84s %10.2e  %-22s %10.3f  %s%n",
                        x.name(),
                        x.maxAbsErr(),
                        String.format("%.0e + %.0e*|ref|", x.atol(), x.rtol()),
                        x.deviceNanos() / 1e6,
                        x.ok() ? "ok" : "FAIL " + x.failure());
                if (!x.ok()) failed++;
            }
            System.out.printf("%n%-40s %9s %12s%n", "kernel", "launches", "device ms");
            for (Map.Entry<String, Device.KernelTime> e : r.kernelTimes().entrySet()) {
                System.out.printf(
                        "%-40s %9d %12.3f%n",
                        e.getKey(), e.getValue().launches(), e.getValue().nanos() / 1e6);
            }
            System.out.printf(
                    "%n%d checks, %d failed; %d of %d kernels launched; %.1f s%n",
                    r.results().size(),
                    failed,
                    r.declaredKernels().size() - r.unlaunchedKernels().size(),
                    r.declaredKernels().size(),
                    wall);
            if (!r.unlaunchedKernels().isEmpty()) System.out.println("never launched: " + r.unlaunchedKernels());
            return r.ok() ? 0 : 1;
        }
    }
}
