;;; strbuild: the decimal strings of 0..99,999 joined into one string;
;;; the result is the string's length.
(use-modules (common) (srfi srfi-1))

(bench (lambda ()
         (string-length
          (string-concatenate (map number->string (iota 100000))))))
