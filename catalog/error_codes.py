"""Error codes of the catalog; messages are for humans, codes for machines."""

from enum import StrEnum


class ImageErrorCode(StrEnum):
    EMPTY_FILE = "image_empty_file"
    FILE_TOO_LARGE = "image_file_too_large"
    UNSUPPORTED_TYPE = "image_unsupported_type"
    NOT_AN_IMAGE = "image_not_an_image"
    TYPE_MISMATCH = "image_type_mismatch"
    TOO_MANY_PIXELS = "image_too_many_pixels"
    TRUNCATED = "image_truncated"
    CORRUPT = "image_corrupt"
    UNSUPPORTED_COLOR_MODE = "image_unsupported_color_mode"
    PROCESSING_FAILED = "image_processing_failed"
