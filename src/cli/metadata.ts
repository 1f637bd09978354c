// The answer to `docker-jindr docker-cli-plugin-metadata`.
import pkg from '../../package.json' with { type: 'json' };
import metadata from '../../plugin-metadata/metadata.json' with { type: 'json' };

export interface PluginMetadata {
  SchemaVersion: string;
  Vendor: string;
  Version: string;
  ShortDescription: string;
  URL: string;
}

export function pluginMetadata(): PluginMetadata {
  return { ...metadata, Version: pkg.version };
}
