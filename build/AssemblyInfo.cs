// The build host drives Linux tools (mke2fs, mmdebstrap, qemu); build.ps1 runs it on Linux too.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
