package dev.vfiosim.simulator.device.engine;

/** The function's life cycle as the command interface sees it (mlx5: ENABLE_HCA, INIT_HCA, TEARDOWN_HCA, DISABLE_HCA). */
public enum HcaState {
    /** After reset and DISABLE_HCA: only ENABLE_HCA is accepted. */
    DISABLED,
    /** After ENABLE_HCA and TEARDOWN_HCA: ISSI, pages, capabilities, UARs, INIT_HCA, DISABLE_HCA. */
    ENABLED,
    /** After INIT_HCA: every command. */
    INITIALIZED
}
