(defn shift-char [c n]
  (let [i (int c)]
    (cond (<= 97 i 122) (char (+ 97 (mod (+ (- i 97) n) 26)))
          (<= 65 i 90) (char (+ 65 (mod (+ (- i 65) n) 26)))
          :else c)))
(defn caesar [s n] (apply str (map #(shift-char % n) s)))
(prn (caesar "Hello, World!" 3))
(prn (caesar (caesar "Hello, World!" 3) -3))
(prn (caesar "xyz" 2))
