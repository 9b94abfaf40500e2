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

    /** A sink with nothing wired: every interrupt is lost. */
    InterruptSink NONE = (type, vector) -> false;
}
