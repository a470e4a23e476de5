package scn.backend;

/**
 * Memory on a {@link Device}: a fixed number of elements of one {@link Type}, contiguous, owned by the
 * device that allocated it. Not a tensor: it knows no shape; the operators that take buffers are told
 * the shapes and check the lengths at their boundary.
 */
public interface DeviceBuffer extends AutoCloseable {
    /** What one element is: activations and gradients are float32, spikes bytes, pooling argmax int32. */
    enum Type {
        FLOAT32(4),
        INT32(4),
        UINT8(1);

        public final int bytes;

        Type(int bytes) {
            this.bytes = bytes;
        }
    }

    Type type();

    /** Number of elements. */
    long length();

    default long bytes() {
        return length() * type().bytes;
    }

    /** Frees the device memory; using the buffer afterwards is an error. */
    @Override
    void close();
}
