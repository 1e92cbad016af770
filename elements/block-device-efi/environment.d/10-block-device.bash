# Tells later steps (the bootloader) which layout this image has.
case "${ARCH:-}" in
  ppc64|ppc64le|ppc64el)
    echo "block-device-efi is not supported on $ARCH; use block-device-gpt or block-device-mbr" >&2
    return 1 2>/dev/null || exit 1
    ;;
esac
export DIB_BLOCK_DEVICE=efi
