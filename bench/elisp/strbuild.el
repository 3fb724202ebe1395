;;; strbuild.el --- the strings of 0..99,999 joined; result is the length  -*- lexical-binding: t -*-
;;; Code:
(require 'bench-common)

(bench-run (lambda ()
             (length (mapconcat #'number-to-string
                                (number-sequence 0 99999) ""))))
;;; strbuild.el ends here
