package dev.vfiosim.server.cli;

import dev.vfiosim.server.session.ServerLimits;
import dev.vfiosim.server.session.VfioUserServer;
import dev.vfiosim.server.transport.MemfdSharedMemory;
import dev.vfiosim.server.transport.UnixSocketListener;
import dev.vfiosim.simulator.VfioDevice;
import dev.vfiosim.simulator.device.Mlx5VirtualFunction;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vfio-sim serve}: one simulated device on one socket until SIGTERM or SIGINT. Follows the
 * vfio-user conventions for backend programs: {@code --socket-path} or {@code --fd}, no daemonizing.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a simulated mlx5 virtual function over vfio-user until SIGTERM/SIGINT.")
final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    static final class Endpoint {
        @Option(names = "--socket-path", paramLabel = "PATH",
                description = "UNIX socket to create (mode 0600); a stale socket file there is replaced.")
        Path socketPath;

        @Option(names = "--fd", paramLabel = "FDNUM",
                description = "An already-listening UNIX stream socket inherited from the VMM or a service manager.")
        Integer fd;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Endpoint endpoint;

    @Option(names = {"-v", "--verbose"}, description = "Log every message at debug level.")
    boolean verbose;

    @Override
    public Integer call() throws InterruptedException {
        UnixSocketListener listener;
        try {
            listener = endpoint.socketPath != null
                    ? UnixSocketListener.bind(endpoint.socketPath)
                    : UnixSocketListener.adopt(endpoint.fd);
        } catch (IOException e) {
            LOG.error("cannot listen: {}", e.getMessage());
            return VfioSimCommand.EXIT_START_FAILED;
        }
        VfioDevice device = new Mlx5VirtualFunction(MemfdSharedMemory.allocator());
        VfioUserServer server = new VfioUserServer(listener, device, ServerLimits.DEFAULT);
        Thread shutdown = new Thread(() -> {
            LOG.info("shutting down");
            server.close();
            device.close();
        }, "vfio-sim-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        server.start();
        server.awaitStop();
        return 0;
    }
}
