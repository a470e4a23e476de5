package scn.backend.opencl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Run by {@link ClLoaderTest} in a child JVM: looks for OpenCL devices, then prints the OpenCL loader files mapped. */
final class LoaderProbe {
    private LoaderProbe() {}

    public static void main(String[] args) throws IOException {
        ClPlatforms.devices();
        for (String line : Files.readAllLines(Path.of("/proc/self/maps")))
            if (line.contains("libOpenCL")) System.out.println(line);
    }
}
