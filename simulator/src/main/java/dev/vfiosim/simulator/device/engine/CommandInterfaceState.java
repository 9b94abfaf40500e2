package dev.vfiosim.simulator.device.engine;

/**
 * The command interface's state as a migration stream carries it. The command queue address and
 * rung-but-unexecuted slots live in the initialisation segment, which describes itself.
 *
 * @param executed commands executed (any status)
 * @param failed of those, the ones with a status other than OK
 * @param ignored doorbell bits for a slot the driver did not hand to HW, or rung before a cmdq address was set
 * @param dmaFaults command entries the device could not read or write back
 */
public record CommandInterfaceState(HcaState hca, long executed, long failed, long ignored, long dmaFaults) {
}
