package scn.backend;

/**
 * A device cannot hold or run what was asked of it: a buffer over its limits, or the driver's out-of-memory statuses
 * at an allocation, a transfer or a launch. The message says what the device holds and of how much; a caller that
 * knows the batch says so too, since a smaller batch is the usual way out. An {@link IllegalStateException}, so the
 * commands report it in one line, as they report a device that cannot run a model.
 */
public final class DeviceMemoryException extends IllegalStateException {
    public DeviceMemoryException(String message) {
        super(message);
    }

    public DeviceMemoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
