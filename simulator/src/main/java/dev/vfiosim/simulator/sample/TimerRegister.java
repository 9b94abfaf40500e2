package dev.vfiosim.simulator.sample;

import dev.vfiosim.simulator.DeviceException;
import dev.vfiosim.simulator.Errno;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BAR0: one signed 64-bit register T, an absolute time in whole seconds since the epoch, initially 0.
 *
 * <pre>
 * BAR0  off 0  s64   write V: while RUNNING, arm the alarm for V - now seconds (0 disarms it,
 *                    negative fails the write with EINVAL and keeps T); then T = V
 *                    read:    now - T
 * </pre>
 * Only an 8-byte access at offset 0 is accepted. "now" is the current wall-clock second, read once
 * per access; the alarm is one-shot and a new arming replaces a pending one, as setitimer does.
 */
public final class TimerRegister {
    private static final Logger LOG = LoggerFactory.getLogger(TimerRegister.class);
    public static final int SIZE = 8;

    /** A one-shot alarm in whole seconds (0: at once); {@link #arm} replaces whatever was pending. */
    public interface Alarm {
        void arm(long seconds);

        void disarm();
    }

    private final LongSupplier epochSeconds;
    private final Alarm alarm;
    private final BooleanSupplier running;
    private long time;

    /** {@code running} says whether the sample's own migration state is RUNNING, the only state that arms. */
    public TimerRegister(LongSupplier epochSeconds, Alarm alarm, BooleanSupplier running) {
        this.epochSeconds = epochSeconds;
        this.alarm = alarm;
        this.running = running;
    }

    public synchronized void read(long offset, ByteBuffer dst) {
        check(offset, dst.remaining());
        dst.order(ByteOrder.LITTLE_ENDIAN).putLong(dst.position(), epochSeconds.getAsLong() - time);
        dst.position(dst.position() + SIZE);
    }

    public synchronized void write(long offset, ByteBuffer src) {
        check(offset, src.remaining());
        long value = src.order(ByteOrder.LITTLE_ENDIAN).getLong(src.position());
        src.position(src.position() + SIZE);
        if (running.getAsBoolean()) {
            arm(value);
        }
        time = value;
    }

    private static void check(long offset, int count) {
        if (offset != 0 || count != SIZE) {
            throw new DeviceException(Errno.EINVAL, "bad BAR0 access " + Long.toHexString(offset) + "-"
                    + Long.toHexString(offset + count - 1) + ": the timer register takes 8 bytes at offset 0");
        }
    }

    /** Arms the alarm for {@code at - now}; EINVAL (and nothing armed) when {@code at} is in the past. */
    private void arm(long at) {
        long seconds = at - epochSeconds.getAsLong();
        if (seconds < 0) {
            throw new DeviceException(Errno.EINVAL, "cannot arm the timer " + (-seconds) + " seconds in the past");
        }
        LOG.debug("arming timer to trigger in {} seconds", seconds);
        if (seconds == 0) {
            alarm.disarm();   // setitimer with a zero value disarms: the sample's timer then never fires
        } else {
            alarm.arm(seconds);
        }
    }

    /**
     * Entering RUNNING (a resumed or restarted device): arms for T - now. Here vfio-sim departs from
     * upstream, which fails the arc with EINVAL when T is past and never fires when T is now: a T
     * that is past has expired already (or was never set: 0), so nothing is armed; a T that is now
     * expires at once. A device whose BAR0 was never written thus migrates, as a VMM expects.
     *
     * @return the seconds armed, 0 for at once, -1 for nothing armed
     */
    public synchronized long armFromStored() {
        long seconds = time - epochSeconds.getAsLong();
        if (seconds < 0) {
            LOG.debug("timer expired {} seconds ago: not armed", -seconds);
            return -1;
        }
        LOG.debug("arming timer to trigger in {} seconds", seconds);
        alarm.arm(seconds);
        return seconds;
    }

    public void disarm() {
        LOG.debug("disable timer");
        alarm.disarm();
    }

    /** T as stored (the migration stream carries this, not the value a read returns). */
    public synchronized long stored() {
        return time;
    }

    /** Restores T from the migration stream (no arming: that happens on entering RUNNING). */
    public synchronized void restore(long value) {
        time = value;
    }
}
