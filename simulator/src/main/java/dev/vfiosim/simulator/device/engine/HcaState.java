package dev.vfiosim.simulator.device.engine;

import dev.vfiosim.simulator.device.state.WireEnum;

/** The function's life cycle as the command interface sees it (mlx5: ENABLE_HCA, INIT_HCA, TEARDOWN_HCA, DISABLE_HCA). */
public enum HcaState implements WireEnum {
    /** After reset and DISABLE_HCA: only ENABLE_HCA is accepted. */
    DISABLED(0),
    /** After ENABLE_HCA and TEARDOWN_HCA: ISSI, pages, capabilities, UARs, INIT_HCA, DISABLE_HCA. */
    ENABLED(1),
    /** After INIT_HCA: every command. */
    INITIALIZED(2);

    private final int wireValue;

    HcaState(int wireValue) {
        this.wireValue = wireValue;
    }

    @Override
    public int wireValue() {
        return wireValue;
    }
}
