// NumPy .npy and .npz: readers and writers (header.ts states the format and its source).
export { openNpy, type NpyFile, type NpyTensorInfo } from './read';
export { openNpz } from './npz';
export { writeNpy, writeNpz, type NpyWriteOptions, type NpzWriteOptions } from './write';
export { npyHeaderBytes, TYPE_TO_NPY, MAX_NPY_HEADER } from './header';
