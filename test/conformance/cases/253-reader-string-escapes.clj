(prn "tab:\t|")
(prn (count "a\tb") (count "\\") (count "\""))
(println "quote:\" backslash:\\")
(prn "unicode:\u00fc\u00df")
(prn (= "\u0041" "A"))
(prn (str "multi
line"))
(prn (seq "a\nb"))
