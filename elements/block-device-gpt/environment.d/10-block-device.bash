# Tells later steps (the bootloader) which layout this image has.
case "${ARCH:-}" in
  arm64|aarch64)
    echo "block-device-gpt is not supported on $ARCH; use block-device-efi" >&2
    return 1 2>/dev/null || exit 1
    ;;
esac
export DIB_BLOCK_DEVICE=gpt
