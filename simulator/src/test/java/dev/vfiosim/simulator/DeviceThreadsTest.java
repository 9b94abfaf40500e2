package dev.vfiosim.simulator;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vfiosim.simulator.device.Mlx5VirtualFunction;
import dev.vfiosim.simulator.device.VirtualFunctionConfig;
import dev.vfiosim.simulator.device.bulk.BulkStateSettings;
import dev.vfiosim.simulator.pci.SharedMemoryAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shared device threads: bounded however many devices, and a waiting device stalls no other. */
class DeviceThreadsTest {
    private static final int DEVICES = 120;

    private static long deviceThreadsAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("vfio-sim-device-")).count();
    }

    @Test
    void aHundredBusyDevicesRunOnABoundedNumberOfThreads() throws Exception {
        List<Mlx5VirtualFunction> devices = new ArrayList<>();
        VirtualFunctionConfig config = VirtualFunctionConfig.defaults()
                .withBulkState(new BulkStateSettings(64 << 10, 5_000, 7));
        try {
            for (int i = 0; i < DEVICES; i++) {
                devices.add(new Mlx5VirtualFunction(SharedMemoryAllocator.HEAP, config));
            }
            // every device's workload makes progress on the shared threads (no timing: each just has to write)
            for (Mlx5VirtualFunction device : devices) {
                while (device.deviceOwnedState().bulkActivity().writes() == 0) {
                    Thread.onSpinWait();
                }
            }
            long alive = deviceThreadsAlive();
            // the workers and the ticker; spares appear only for units that wait, and none here does
            assertTrue(alive <= DeviceThreads.PARALLELISM + 1, alive + " device threads for " + DEVICES + " devices");
        } finally {
            devices.forEach(Mlx5VirtualFunction::close);
        }
    }

    @Test
    void unitsThatWaitLeaveTheOtherDevicesAWorker() throws Exception {
        int waiting = DeviceThreads.PARALLELISM + 3;
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(waiting);
        CountDownLatch otherRan = new CountDownLatch(1);
        try {
            for (int i = 0; i < waiting; i++) {
                DeviceThreads.shared().execute(() -> {
                    blocked.countDown();
                    try {
                        DeviceThreads.block(release::await);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            // more waiting units than workers: without spares these would never all start
            assertTrue(blocked.await(30, TimeUnit.SECONDS), "every waiting unit got a worker");
            DeviceThreads.shared().execute(otherRan::countDown);
            assertTrue(otherRan.await(30, TimeUnit.SECONDS), "another device's unit ran while the others waited");
        } finally {
            release.countDown();
        }
    }
}
