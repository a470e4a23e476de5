package scn.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jocl.CL;
import org.jocl.CLException;
import org.junit.jupiter.api.Test;
import scn.TestUtil;
import scn.backend.DeviceBuffer.Type;
import scn.backend.DeviceMemoryException;

/**
 * Device memory: which buffers are refused before the driver is asked, the bytes held as buffers come and go, and the
 * driver's out-of-memory statuses turned into a message (a real device cannot be made to run out on purpose without
 * taking the machine's memory, so those statuses are handed in). The device parts are skipped without OpenCL, except
 * under {@code CI=true}.
 */
class ClDeviceMemoryTest {
    @Test
    void buffersOverTheLimitsAreRefused() {
        long maxAlloc = 1000, global = 2500;
        assertNull(ClDevice.refusal(250, 1000, 1500, maxAlloc, global));
        assertTrue(ClDevice.refusal(251, 1004, 0, maxAlloc, global).contains("limit of 1000 bytes per buffer"));
        assertTrue(ClDevice.refusal(250, 1000, 1501, maxAlloc, global).contains("1501 of its 2500 bytes are held"));
        String indexing = ClDevice.refusal(1L << 31, 1L << 31, 0, Long.MAX_VALUE, Long.MAX_VALUE);
        assertTrue(indexing.contains("the kernels can index"), indexing);
    }

    @Test
    void heldBytesFollowTheBuffersAndRefusalsNameTheDevice() {
        try (ClDevice dev = ClDevice.open(TestUtil.openClTestDevice())) {
            long start = dev.heldBytes();
            try (ClBuffer a = dev.allocate(Type.FLOAT32, 100);
                    ClSlab slab = ClSlab.create(dev, new long[] {3, 5})) {
                assertTrue(dev.heldBytes() >= start + 400 + 8 * 4, "held " + dev.heldBytes());
                long withSlab = dev.heldBytes();
                slab.range(0, 2).close(); // a view holds nothing of its own
                assertEquals(withSlab, dev.heldBytes());
                a.close();
                assertEquals(withSlab - 400, dev.heldBytes());
            }
            assertEquals(start, dev.heldBytes());
            long over = dev.info().maxAllocBytes() / 4 + 1;
            DeviceMemoryException e = assertThrows(DeviceMemoryException.class, () -> dev.allocate(Type.FLOAT32, over));
            assertTrue(
                    e.getMessage().startsWith(dev.toString()) && e.getMessage().contains("per buffer"), e.getMessage());
            assertEquals(start, dev.heldBytes(), "a refused buffer holds nothing");
        }
    }

    @Test
    void outOfMemoryStatusesBecomeAMessageOthersStayAsTheyWere() {
        try (ClDevice dev = ClDevice.open(TestUtil.openClTestDevice())) {
            for (int status : new int[] {CL.CL_MEM_OBJECT_ALLOCATION_FAILURE, CL.CL_OUT_OF_RESOURCES}) {
                CLException driver = new CLException(CL.stringFor_errorCode(status), status);
                RuntimeException e = dev.failure(driver, "launching conv2d_im2col");
                assertTrue(e instanceof DeviceMemoryException, e.toString());
                assertTrue(
                        e.getMessage().contains("ran out of memory launching conv2d_im2col")
                                && e.getMessage().contains(CL.stringFor_errorCode(status))
                                && e.getMessage()
                                        .contains("of its " + dev.info().globalMemBytes() + " bytes"),
                        e.getMessage());
                assertSame(driver, e.getCause());
            }
            CLException other = new CLException("CL_INVALID_VALUE", CL.CL_INVALID_VALUE);
            assertSame(other, dev.failure(other, "launching conv2d_im2col"));
        }
    }
}
