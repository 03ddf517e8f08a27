// safetensors: reader and writer (see read.ts and write.ts for the format rules and their source).
export { openSafetensors, MAX_SAFETENSORS_HEADER, type SafetensorsFile, type SafetensorsTensorInfo } from './read';
export { writeSafetensors, safetensorsHeader, type SafetensorsWriteOptions } from './write';
export { SAFETENSORS_TO_TYPE, TYPE_TO_SAFETENSORS } from './dtypes';
