package dev.vfiosim.simulator.irq;

/**
 * What happened to the interrupts of one type since the device was created: handed to the sink
 * with someone listening ({@code delivered}), held pending because masked or disabled
 * ({@code pended}), handed to the sink with nobody listening ({@code lost}).
 */
public record IrqCounts(long delivered, long pended, long lost) {
}
