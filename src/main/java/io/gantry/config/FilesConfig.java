package io.gantry.config;

import java.util.List;

/**
 * Files and file/image inputs.
 *
 * @param maxUploadBytes largest file {@code POST /v1/files} accepts (413 beyond)
 * @param maxInputFileBytes largest file an {@code input_file} may bring into a prompt, as the bytes
 *     of the file and as extracted text (400 beyond)
 * @param imageUrlAllowedHosts {@code host} or {@code host:port} entries whose {@code http(s)} image
 *     URLs Gantry may fetch (a bare host allows its scheme's default port only); empty (the
 *     default) means remote image URLs are refused, so clients cannot make the gateway fetch
 *     arbitrary addresses
 * @param maxBytesPerTenant most bytes of uploaded files one tenant may keep stored (413 beyond)
 */
public record FilesConfig(
    Long maxUploadBytes,
    Long maxInputFileBytes,
    List<String> imageUrlAllowedHosts,
    Long maxBytesPerTenant) {
  public FilesConfig {
    maxUploadBytes = maxUploadBytes == null ? 64L * 1024 * 1024 : maxUploadBytes;
    maxInputFileBytes = maxInputFileBytes == null ? 8L * 1024 * 1024 : maxInputFileBytes;
    imageUrlAllowedHosts =
        imageUrlAllowedHosts == null ? List.of() : List.copyOf(imageUrlAllowedHosts);
    maxBytesPerTenant = maxBytesPerTenant == null ? 1024L * 1024 * 1024 : maxBytesPerTenant;
  }

  public FilesConfig(
      Long maxUploadBytes, Long maxInputFileBytes, List<String> imageUrlAllowedHosts) {
    this(maxUploadBytes, maxInputFileBytes, imageUrlAllowedHosts, null);
  }
}
