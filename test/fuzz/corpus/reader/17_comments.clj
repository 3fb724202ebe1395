; comment
#!/usr/bin/env grove
1 ;; two
,,, 2