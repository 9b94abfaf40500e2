package dev.vfiosim.simulator.device.bulk;

import dev.vfiosim.simulator.device.state.StateRecordDeclaration;

/**
 * The bulk state's description as a migration stream carries it; the contents travel as pages
 * ({@link BulkState#readPage}).
 *
 * @param bytes size of the bulk state
 * @param pageSize unit of dirty tracking and transfer
 * @param generatorState the activity's random generator, so the destination continues the same sequence
 * @param writes page writes the activity has made so far
 */
@StateRecordDeclaration(tag = 4, name = "bulk activity")
public record BulkStateHeader(long bytes, int pageSize, long generatorState, long writes) {
}
