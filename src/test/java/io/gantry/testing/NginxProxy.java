package io.gantry.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * nginx on loopback, round robin over some local ports, streaming (no buffering): the load balancer
 * in front of several Gantry replicas, as a deployment has one. {@code .ci/run} installs nginx.
 */
public final class NginxProxy implements AutoCloseable {
  public final int port;
  private final Process process;

  private NginxProxy(int port, Process process) {
    this.port = port;
    this.process = process;
  }

  public static NginxProxy roundRobin(List<Integer> upstreamPorts) throws IOException {
    Path bin = Path.of("/usr/sbin/nginx");
    if (!Files.isExecutable(bin)) {
      throw new AssertionError("nginx missing: apt-get install nginx (.ci/run does it)");
    }
    Path dir = Files.createTempDirectory("gantry-nginx");
    dir.toFile().setReadable(true, false);
    dir.toFile().setExecutable(true, false);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    StringBuilder servers = new StringBuilder();
    upstreamPorts.forEach(p ->
        servers
            .append("    server 127.0.0.1:")
            .append(p)
            .append(" max_fails=1 fail_timeout=2s;\n"));
    String conf =
        """
        worker_processes 1;
        daemon off;
        pid %1$s/nginx.pid;
        error_log %1$s/error.log warn;
        events { worker_connections 1024; }
        http {
          access_log off;
          client_body_temp_path %1$s/client_body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
          upstream gantry {
        %2$s    keepalive 32;
          }
          server {
            listen 127.0.0.1:%3$d;
            location / {
              proxy_pass http://gantry;
              proxy_http_version 1.1;
              proxy_set_header Connection "";
              proxy_buffering off;
              proxy_read_timeout 120s;
              proxy_next_upstream error timeout;
            }
          }
        }
        """
            .formatted(dir, servers, port);
    Path file = dir.resolve("nginx.conf");
    Files.writeString(file, conf);
    Process process =
        new ProcessBuilder(bin.toString(), "-c", file.toString(), "-p", dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("stdout.log").toFile())
            .start();
    return new NginxProxy(port, process);
  }

  public String base() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process.destroyForcibly();
  }
}
