package dev.vfiosim.simulator.irq;

/**
 * Where the device delivers an interrupt that is neither masked nor disabled. The server implements
 * it by writing the eventfd that DEVICE_SET_IRQS assigned to that vector; the device never knows
 * about eventfds.
 */
@FunctionalInterface
public interface InterruptSink {
    /**
     * Delivers one interrupt. Called from any device thread; must not block for long.
     *
     * @return {@code true} if someone was listening (an eventfd was assigned), {@code false} if the
     *     interrupt was lost because the VMM wired nothing to the vector
     */
    boolean signal(IrqType type, int vector);

    /**
     * The device raised {@code vector} while it was masked (or the device stopped): it is held
     * pending and delivered once released. Only told, so a trace or an audit can see it; called
     * with the device's interrupt lock held, so it must not call back into the device.
     */
    default void held(IrqType type, int vector) {
    }

    /** A sink with nothing wired: every interrupt is lost. */
    InterruptSink NONE = (type, vector) -> false;
}
